import Foundation
import Logging
import NIOCore
import PostgresNIO

/// What `ledger_append` answered.
enum LedgerAppendOutcome {
    /// The batch committed.
    case committed
    /// The caller's head was not the current one (another process appended); here is the current.
    case stale(ChainHead)
    /// These appends (1-based) expected a version their stream no longer has; nothing was written.
    case conflict([Int])
    /// These appends (1-based) read a stream that has moved since; nothing was written.
    case staleRead([Int])

    /// Calls `ledger_append` with one batch as a single statement (its own transaction).
    static func call(_ batch: AppendBatch, head: ChainHead?, on client: PostgresClient, logger: Logger) async throws -> Self {
        let headSeq = head?.seq ?? -1
        let headHash = ByteBuffer(bytes: head?.hash ?? Data())
        let query: PostgresQuery = """
            SELECT status, head_seq, head_hash, conflicts FROM ledger_append(
                \(headSeq), \(headHash), \(batch.streams), \(batch.expectedVersions),
                \(batch.readStreams.isEmpty ? nil : batch.readStreams), \(batch.readVersions), \(batch.readAppends),
                \(batch.eventStreams), \(batch.eventVersions), \(batch.eventTypes), \(batch.eventData),
                \(batch.eventMetadata), \(batch.occurredAtMilliseconds), \(batch.prevHashes), \(batch.hashes),
                \(batch.projectionJSON)::jsonb)
            """
        // Guarded: a statement handed to an already-closed connection must not hang the writer.
        let rows = try await ClosedConnectionGuard.run(on: client) { connection in
            let rows = try await connection.query(query, logger: logger).collect()
            // Durable before visible (I1): PostgresNIO finishes a statement at CommandComplete, but
            // its implicit transaction commits only afterwards, at Sync. A commit that then fails
            // (the backend is terminated, the server stops) arrives after the rows we already
            // hold. The connection runs the next statement only after that commit's
            // ReadyForQuery, and a failed commit closes it, so this round trip succeeds only if
            // the batch is durable. (Outside the head lock: it costs latency, not throughput.)
            _ = try await connection.query("SELECT 1", logger: logger).collect()
            return rows
        }
        for row in rows {
            let (status, seq, hash, conflicts) = try row.decode((String, Int64, ByteBuffer, [Int32]?).self)
            switch status {
            case "ok": return .committed
            case "stale": return .stale(ChainHead(seq: seq, hash: Data(buffer: hash)))
            case "stale_read": return .staleRead((conflicts ?? []).map(Int.init))
            default: return .conflict((conflicts ?? []).map(Int.init))
            }
        }
        throw LedgerStoreError(.unavailable, "ledger_append returned no row")
    }
}
