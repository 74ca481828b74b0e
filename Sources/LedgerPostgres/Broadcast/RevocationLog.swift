import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// The revocation events of the log as signed broadcast messages (format v2): what the relay
/// publishes and what the catch-up feed answers. Each revocation is signed once, the first time
/// either of them reads it, and the compact JWS kept in `broadcast_messages` (Schema 0009), so
/// both hand out the same string. Reads go through the `revocation_events` view (Schema 0005),
/// whose partial indexes keep them proportional to the revocations read, not to the log.
public struct RevocationLog: Sendable {
    /// One revocation, signed.
    public struct Signed: Sendable, Hashable {
        /// The revocation event's seq.
        public var seq: Int64
        /// The seq of the revocation before it in the log (0 for the first).
        public var prevSeq: Int64
        /// When the revocation was recorded.
        public var occurredAt: Instant
        /// The compact JWS.
        public var message: String
    }

    /// One answer of the catch-up feed.
    public struct Page: Sendable, Hashable {
        /// The log position the answer is complete up to: the log head when `items` holds fewer
        /// than the limit, otherwise the last item's seq (ask again with `after = head`).
        public var head: Int64
        /// Revocations in seq order.
        public var items: [Signed]
    }

    /// How long after its `until` a revocation stays in the feed: the validators' largest clock
    /// skew, during which they may still accept a token that has expired.
    public static let validatorSkew: Duration = .seconds(15)

    private let client: PostgresClient
    private let signer: any BroadcastSigner
    private let logger: Logger

    /// Creates a reader over a running client that signs with `signer`.
    public init(client: PostgresClient, signer: any BroadcastSigner, logger: Logger) {
        self.client = client
        self.signer = signer
        self.logger = logger
    }

    /// Up to `limit` revocations with `seq > after`, in seq order, expired or not, signed at `now`
    /// where not signed yet.
    public func messages(after: Int64, limit: Int, now: Instant) async throws(LedgerStoreError) -> [Signed] {
        let rows = try await client.rows(
            """
            SELECT \(unescaped: Self.columns) FROM revocation_events r LEFT JOIN broadcast_messages b USING (seq)
            WHERE r.seq > \(after) ORDER BY r.seq LIMIT \(Int64(max(1, limit)))
            """,
            logger: logger
        ) { row in
            let (seq, type, data, occurred, message, prev) = try row.decode((Int64, String, String, Int64, String?, Int64).self)
            return Row(seq: seq, type: type, data: data, occurredAt: occurred, message: message, prevSeq: prev)
        }
        return try await signed(rows, now: now)
    }

    /// The revocations with `seq > after` that can still matter at `now` (their `until` plus
    /// ``validatorSkew`` is ahead), at most `limit`, with the head read in the same snapshot.
    public func live(after: Int64, now: Instant, limit: Int) async throws(LedgerStoreError) -> Page {
        let limit = max(1, limit)
        let horizon = now.milliseconds - Self.validatorSkew.milliseconds
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
        let items = try await signed(found, now: now)
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

    /// The columns every read selects, in ``Row``'s order.
    private static let columns = """
        r.seq, r.type, r.data::text, (extract(epoch FROM r.occurred_at) * 1000)::bigint, b.message,
        coalesce((SELECT max(p.seq) FROM revocation_events p WHERE p.seq < r.seq), 0)
        """

    /// One row of a read: the event, and its stored message if it was signed before.
    private struct Row: Sendable {
        var seq: Int64
        var type: String
        var data: String
        var occurredAt: Int64
        var message: String?
        var prevSeq: Int64
    }

    /// The rows' messages: stored ones as they are, the others signed now and stored (keeping
    /// whichever string a concurrent reader stored first).
    private func signed(_ rows: [Row], now: Instant) async throws(LedgerStoreError) -> [Signed] {
        var fresh: [Int64: (until: Int64, message: String)] = [:]
        for row in rows where row.message == nil {
            let event = try EventDecoding.decode(type: row.type, data: Data(row.data.utf8))
            guard let revocation = Revocation(event) else {
                throw LedgerStoreError(.encoding, "event \(row.seq) of type \(row.type) is listed as a revocation but revokes nothing")
            }
            let message = BroadcastMessage(
                revocation: revocation, seq: row.seq, prevSeq: row.prevSeq, occurredAt: Instant(milliseconds: row.occurredAt),
                issuer: signer.issuer, jti: RandomUUID.make(), signedAt: now
            )
            do {
                fresh[row.seq] = (revocation.until.milliseconds, try await signer.sign(message))
            } catch {
                throw LedgerStoreError(.signing, "revocation \(row.seq) could not be signed: \(type(of: error))")
            }
        }
        var stored: [Int64: String] = [:]
        if !fresh.isEmpty {
            let seqs = fresh.keys.sorted()
            let (untils, messages) = (seqs.map { fresh[$0]!.until }, seqs.map { fresh[$0]!.message })
            let answered = try await client.rows(
                "SELECT seq, message FROM broadcast_store(\(seqs), \(untils), \(messages))", logger: logger
            ) { try $0.decode((Int64, String).self) }
            stored = Dictionary(answered, uniquingKeysWith: { first, _ in first })
        }
        return try rows.map { row throws(LedgerStoreError) in
            guard let message = row.message ?? stored[row.seq] else {
                throw LedgerStoreError(.unavailable, "revocation \(row.seq) was signed but not stored")
            }
            return Signed(seq: row.seq, prevSeq: row.prevSeq, occurredAt: Instant(milliseconds: row.occurredAt), message: message)
        }
    }
}
