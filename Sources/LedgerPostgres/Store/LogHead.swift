import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The committed head of the log, as the `ledger_head` row records it.
public enum LogHead {
    /// The last committed seq and hash (genesis for an empty log).
    public static func read(_ client: PostgresClient, logger: Logger) async throws(LedgerStoreError) -> ChainHead {
        do {
            let rows = try await client.query("SELECT seq, hash FROM ledger_head WHERE id", logger: logger)
            for try await (seq, hash) in rows.decode((Int64, ByteBuffer).self) { return ChainHead(seq: seq, hash: Data(buffer: hash)) }
            return .genesis
        } catch {
            throw LedgerStoreError(.unavailable, "cannot read the log head: \(PostgresErrorSummary(error))")
        }
    }
}
