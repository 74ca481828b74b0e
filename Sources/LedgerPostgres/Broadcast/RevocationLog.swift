import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// The revocation events of the log as signed broadcast messages (format v2): what the relay
/// publishes and what the catch-up feed answers. Each revocation is signed once, the first time
/// either of them reads it, and the compact JWS kept in `broadcast_messages` (Schema 0009), so
/// both hand out the same string. Reads go through the `revocation_events` view (Schema 0005),
/// whose partial indexes keep them proportional to the revocations read, not to the log.
package struct RevocationLog: Sendable {
    /// One revocation, signed.
    package struct Signed: Sendable, Hashable {
        /// The revocation event's seq.
        package var seq: Int64
        /// The seq of the revocation before it in the log (0 for the first).
        package var prevSeq: Int64
        /// When the revocation was recorded.
        package var occurredAt: Instant
        /// The compact JWS.
        package var message: String
    }

    /// One answer of the catch-up feed.
    package struct Page: Sendable, Hashable {
        /// The log position the answer is complete up to: the log head when `items` holds fewer
        /// than the limit, otherwise the last item's seq (ask again with `after = head`).
        package var head: Int64
        /// Revocations in seq order.
        package var items: [Signed]
    }

    private let client: PostgresClient
    private let signer: any BroadcastSigner
    private let logger: Logger

    /// Creates a reader over a running client that signs with `signer`.
    package init(client: PostgresClient, signer: any BroadcastSigner, logger: Logger) {
        self.client = client
        self.signer = signer
        self.logger = logger
    }

    /// A read of the relay: every revocation read, signed, and those signed by this read, which
    /// still have to be stored.
    package struct Batch: Sendable, Hashable {
        /// The revocations in seq order, each with its stored message or the one signed now.
        package var items: [Signed]
        /// The messages signed by this read: give them to ``store(_:on:)``.
        package var fresh: [Fresh]

        /// The items with the message `store` answered where it differs from the one read (a
        /// concurrent reader stored its own signature first).
        package func superseded(by stored: [Int64: String]) -> [Signed] {
            items.compactMap { item in
                guard let winner = stored[item.seq], winner != item.message else { return nil }
                var settled = item
                settled.message = winner
                return settled
            }
        }
    }

    /// A message signed by a read and not stored yet.
    package struct Fresh: Sendable, Hashable {
        var seq: Int64
        var until: Int64
        var message: String
    }

    /// Up to `limit` revocations with `seq > after`, in seq order, expired or not, signed at `now`
    /// where not signed yet, read on `connection` (the relay's own). The relay publishes the
    /// items while it stores the fresh ones.
    package func read(after: Int64, limit: Int, now: Instant, on connection: PostgresConnection) async throws(LedgerStoreError) -> Batch {
        try await sign(try await run(RevocationsAfter(after: after, limit: Int64(max(1, limit))), on: connection), now: now)
    }

    /// Stores freshly signed messages, keeping whichever string a concurrent reader stored first,
    /// and answers the stored string of each seq. A row lost in a crash of the database is signed
    /// again on the next read.
    package func store(_ fresh: [Fresh], on connection: PostgresConnection?) async throws(LedgerStoreError) -> [Int64: String] {
        guard !fresh.isEmpty else { return [:] }
        let statement = BroadcastStore(seqs: fresh.map(\.seq), untils: fresh.map(\.until), messages: fresh.map(\.message))
        return Dictionary(try await run(statement, on: connection), uniquingKeysWith: { first, _ in first })
    }

    /// The revocations with `seq > after` that can still matter at `now` (their `until` plus
    /// ``Retention/validatorSkew`` is ahead), at most `limit`, with the head read in the same snapshot.
    package func live(after: Int64, now: Instant, limit: Int) async throws(LedgerStoreError) -> Page {
        let limit = max(1, limit)
        let horizon = now.milliseconds - Retention.validatorSkew.milliseconds
        let rows = try await client.rows(
            """
            SELECT h.seq, r.* FROM ledger_head h LEFT JOIN LATERAL (
                SELECT \(unescaped: Self.columns) FROM revocation_events r LEFT JOIN broadcast_messages b USING (seq)
                WHERE r.seq > \(after) AND (r.data->>'until')::bigint > \(horizon)
                ORDER BY r.seq LIMIT \(Int64(limit))
            ) r ON true
            ORDER BY r.seq
            """,
            logger: logger
        ) { try $0.decode((Int64, Int64?, String?, String?, Int64?, String?, Int64?).self) }
        let head = rows.first?.0 ?? 0
        var found: [Row] = []
        for case (_, let seq?, let type?, let data?, let occurred?, let message, let prev?) in rows {
            found.append(Row(seq: seq, type: type, data: data, occurredAt: occurred, message: message, prevSeq: prev))
        }
        let batch = try await sign(found, now: now)
        let superseded = Dictionary(uniqueKeysWithValues: batch.superseded(by: try await store(batch.fresh, on: nil)).map { ($0.seq, $0) })
        let items = batch.items.map { superseded[$0.seq] ?? $0 }
        return Page(head: items.count == limit ? items[limit - 1].seq : head, items: items)
    }

    /// Where a relay without a checkpoint starts: just before the oldest revocation still in
    /// force at `now`, or at the log head when none is, so a first start does not replay
    /// history that no subscriber needs.
    package func startingPoint(at now: Instant) async throws(LedgerStoreError) -> Int64 {
        let seq = try await client.firstRow(
            """
            SELECT coalesce(
                (SELECT min(seq) - 1 FROM revocation_events WHERE (data->>'until')::bigint > \(now.milliseconds)),
                (SELECT seq FROM ledger_head))
            """,
            as: Int64.self, logger: logger
        )
        return seq ?? 0
    }

    /// Runs a prepared statement on `connection`, or on a pooled connection when nil.
    private func run<Statement: PostgresPreparedStatement>(
        _ statement: Statement, on connection: PostgresConnection?
    ) async throws(LedgerStoreError) -> [Statement.Row] where Statement.Row: Sendable {
        guard let connection else { return try await client.rows(statement, logger: logger) }
        do {
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        } catch {
            throw LedgerStoreError(.unavailable, "relay statement failed: \(PostgresErrorSummary(error))")
        }
    }

    /// The columns every read selects, in ``Row``'s order.
    fileprivate static let columns = """
        r.seq, r.type, r.data::text, (extract(epoch FROM r.occurred_at) * 1000)::bigint, b.message,
        coalesce((SELECT max(p.seq) FROM revocation_events p WHERE p.seq < r.seq), 0)
        """

    /// One row of a read: the event, and its stored message if it was signed before.
    fileprivate struct Row: Sendable {
        var seq: Int64
        var type: String
        var data: String
        var occurredAt: Int64
        var message: String?
        var prevSeq: Int64
    }

    /// The rows' messages: stored ones as they are, the others signed now.
    private func sign(_ rows: [Row], now: Instant) async throws(LedgerStoreError) -> Batch {
        var batch = Batch(items: [], fresh: [])
        for row in rows {
            let message: String
            if let stored = row.message {
                message = stored
            } else {
                let event = try EventDecoding.decode(type: row.type, data: Data(row.data.utf8))
                guard let revocation = Revocation(event) else {
                    throw LedgerStoreError(.encoding, "event \(row.seq) of type \(row.type) is listed as a revocation but revokes nothing")
                }
                let claims = BroadcastMessage(
                    revocation: revocation, seq: row.seq, prevSeq: row.prevSeq, occurredAt: Instant(milliseconds: row.occurredAt),
                    issuer: signer.issuer, jti: LedgerID.make(at: now), signedAt: now
                )
                do {
                    let compact = try await signer.sign(claims)
                    batch.fresh.append(Fresh(seq: row.seq, until: revocation.until.milliseconds, message: compact))
                    message = compact
                } catch {
                    throw LedgerStoreError(.signing, "revocation \(row.seq) could not be signed: \(type(of: error))")
                }
            }
            batch.items.append(Signed(seq: row.seq, prevSeq: row.prevSeq, occurredAt: Instant(milliseconds: row.occurredAt), message: message))
        }
        return batch
    }
}

/// The relay's read, prepared once per connection: planning the view, the join and the
/// `prev_seq` subquery costs more than running them.
private struct RevocationsAfter: PostgresPreparedStatement {
    static let sql = """
        SELECT \(RevocationLog.columns) FROM revocation_events r LEFT JOIN broadcast_messages b USING (seq)
        WHERE r.seq > $1 ORDER BY r.seq LIMIT $2
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .int8]
    typealias Row = RevocationLog.Row

    var after: Int64
    var limit: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(after)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (seq, type, data, occurred, message, prev) = try row.decode((Int64, String, String, Int64, String?, Int64).self)
        return Row(seq: seq, type: type, data: data, occurredAt: occurred, message: message, prevSeq: prev)
    }
}

/// `broadcast_store` (Schema 0009), prepared once per connection.
private struct BroadcastStore: PostgresPreparedStatement {
    static let sql = "SELECT seq, message FROM broadcast_store($1, $2, $3)"
    static let bindingDataTypes: [PostgresDataType] = [.int8Array, .int8Array, .textArray]
    typealias Row = (Int64, String)

    var seqs: [Int64]
    var untils: [Int64]
    var messages: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(seqs)
        bindings.append(untils)
        bindings.append(messages)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
