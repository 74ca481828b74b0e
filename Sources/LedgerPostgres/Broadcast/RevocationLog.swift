import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// The revocation events of the log as §5.3 messages: what the relay publishes and what the
/// catch-up feed answers. Reads go through the `revocation_events` view (Schema 0005), whose
/// partial indexes keep them proportional to the revocations read, not to the log.
public struct RevocationLog: Sendable {
    /// One answer of the catch-up feed.
    public struct Page: Sendable, Hashable {
        /// The log position the answer is complete up to: the log head when `items` holds fewer
        /// than the limit, otherwise the last item's seq (ask again with `after = head`).
        public var head: Int64
        /// Revocations in seq order.
        public var items: [RevocationMessage]
    }

    private let client: PostgresClient
    private let logger: Logger

    /// Creates a reader over a running client.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Up to `limit` revocations with `seq > after`, in seq order, expired or not.
    public func messages(after: Int64, limit: Int) async throws(LedgerStoreError) -> [RevocationMessage] {
        let rows = try await client.rows(
            """
            SELECT seq, type, data::text, (extract(epoch FROM occurred_at) * 1000)::bigint
            FROM revocation_events WHERE seq > \(after) ORDER BY seq LIMIT \(Int64(max(1, limit)))
            """,
            logger: logger
        ) { try $0.decode((Int64, String, String, Int64).self) }
        return try rows.map { row throws(LedgerStoreError) in try Self.message(row) }
    }

    /// The revocations with `seq > after` still in force at `now` (their `until` is ahead), at
    /// most `limit`, with the head read in the same snapshot.
    public func live(after: Int64, now: Instant, limit: Int) async throws(LedgerStoreError) -> Page {
        let limit = max(1, limit)
        let rows = try await client.rows(
            """
            SELECT h.seq, r.seq, r.type, r.data::text, (extract(epoch FROM r.occurred_at) * 1000)::bigint
            FROM ledger_head h LEFT JOIN LATERAL (
                SELECT seq, type, data, occurred_at FROM revocation_events
                WHERE seq > \(after) AND (data->>'until')::bigint > \(now.milliseconds)
                ORDER BY seq LIMIT \(Int64(limit))
            ) r ON true
            ORDER BY r.seq
            """,
            logger: logger
        ) { try $0.decode((Int64, Int64?, String?, String?, Int64?).self) }
        let head = rows.first?.0 ?? 0
        var items: [RevocationMessage] = []
        for case (_, let seq?, let type?, let data?, let occurred?) in rows {
            items.append(try Self.message((seq, type, data, occurred)))
        }
        return Page(head: items.count == limit ? items[limit - 1].seq : head, items: items)
    }

    /// Where a relay without a checkpoint starts: just before the oldest revocation still in
    /// force at `now`, or at the log head when none is, so a first start does not replay
    /// history that no subscriber needs.
    public func startingPoint(at now: Instant) async throws(LedgerStoreError) -> Int64 {
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

    private static func message(_ row: (Int64, String, String, Int64)) throws(LedgerStoreError) -> RevocationMessage {
        let (seq, type, data, occurred) = row
        let event = try EventDecoding.decode(type: type, data: Data(data.utf8))
        guard let message = RevocationMessage(event: event, seq: seq, occurredAt: Instant(milliseconds: occurred)) else {
            throw LedgerStoreError(.encoding, "event \(seq) of type \(type) is listed as a revocation but revokes nothing")
        }
        return message
    }
}
