import Foundation
import Logging
import NIOCore
import PostgresNIO

/// What `ledger_commit` answered to one batch.
enum LedgerCommitAnswer {
    /// The batch committed.
    case committed
    /// The caller's head was not the current one (another process appended); here is the current.
    case stale(ChainHead)
    /// These appends (1-based) expected a version their stream no longer has; nothing was written.
    case conflict([Int])
    /// These appends (1-based) read a stream that has moved since; nothing was written.
    case staleRead([Int])

    /// Calls `ledger_commit` with one batch as a single statement (its own transaction,
    /// committed before the answer).
    static func call(_ batch: AppendBatch, head: ChainHead?, on connection: PostgresConnection, logger: Logger) async throws -> Self {
        let statement = LedgerAppendCall(batch: batch, head: head)
        // Guarded: a statement handed to an already-closed connection must not hang the writer.
        let rows = try await ClosedConnectionGuard.run(on: connection) { connection in
            // Durable before visible (I1): `ledger_commit` commits before it answers (see
            // Schema/0008), so an 'ok' row is proof the batch is durable. A commit that fails
            // fails the statement instead.
            var rows: [LedgerAppendCall.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
        for (status, seq, hash, conflicts) in rows {
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

/// The `ledger_commit` call as a prepared statement: parsed and planned once per connection.
private struct LedgerAppendCall: PostgresPreparedStatement {
    static let sql = """
        CALL ledger_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, NULL, NULL, NULL, NULL)
        """
    static let bindingDataTypes: [PostgresDataType] = [
        .int8, .bytea, .textArray, .int8Array, .textArray, .int8Array, .int4Array,
        .textArray, .int8Array, .textArray, .textArray, .textArray, .int8, .byteaArray, .byteaArray, .text,
    ]
    typealias Row = (String, Int64, ByteBuffer, [Int32]?)

    var batch: AppendBatch
    /// The head the batch is chained onto; nil when unknown (the call then answers `stale`).
    var head: ChainHead?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16)
        bindings.append(head?.seq ?? -1)
        bindings.append(ByteBuffer(bytes: head?.hash ?? Data()))
        bindings.append(batch.streams)
        bindings.append(batch.expectedVersions)
        if batch.readStreams.isEmpty {
            bindings.appendNull()
        } else {
            bindings.append(batch.readStreams)
        }
        bindings.append(batch.readVersions)
        bindings.append(batch.readAppends)
        bindings.append(batch.eventStreams)
        bindings.append(batch.eventVersions)
        bindings.append(batch.eventTypes)
        bindings.append(batch.eventData)
        bindings.append(batch.eventMetadata)
        bindings.append(batch.occurredAtMilliseconds)
        bindings.append(batch.prevHashes)
        bindings.append(batch.hashes)
        if let projection = batch.projectionJSON {
            bindings.append(projection)
        } else {
            bindings.appendNull()
        }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
