import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The committed head of the log, as the `ledger_head` row records it.
package enum LogHead {
    /// The last committed seq and hash (genesis for an empty log).
    package static func read(_ client: PostgresClient, logger: Logger) async throws(LedgerStoreError) -> ChainHead {
        try await stored(client, logger: logger) ?? .genesis
    }

    /// The `ledger_head` row, or nil when it is missing: migrations create it, so only
    /// tampering removes it, which `audit verify` reports.
    package static func stored(_ client: PostgresClient, logger: Logger) async throws(LedgerStoreError) -> ChainHead? {
        do {
            let rows = try await client.query("SELECT seq, hash FROM ledger_head WHERE id", logger: logger)
            for try await (seq, hash) in rows.decode((Int64, ByteBuffer).self) { return ChainHead(seq: seq, hash: Data(buffer: hash)) }
            return nil
        } catch {
            throw LedgerStoreError(.unavailable, "cannot read the log head: \(PostgresErrorSummary(error))")
        }
    }
}
