import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Every event about one subject — its grants (issuance, rotation, reuse, revocation), its
/// sessions and its subject-wide revocations — newest first, a page at a time by `seq`.
package struct SubjectHistory: Sendable {
    /// One event as the history shows it.
    package struct Entry: Sendable, Hashable, Encodable {
        package var seq: Int64
        package var streamID: String
        package var type: String
        package var occurredAtMilliseconds: Int64
        /// The payload (canonical JSON; it never holds a secret, only hashes).
        package var data: JSONValue

        enum CodingKeys: String, CodingKey {
            case seq, streamID = "stream_id", type, occurredAtMilliseconds = "occurred_at_ms", data
        }
    }

    private let client: PostgresClient
    private let logger: Logger

    /// Creates a reader.
    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The streams of a subject, as a query of `stream_id`s: those whose starting event's `sub`
    /// names the subject (`Schema/0012`'s index), so a subject's grants, sessions, login flows
    /// and consents are found in the log itself and stay in its history and exports after the
    /// sweeper removed their live rows; and, for a client acting for itself, its client
    /// credentials tokens, which name it as their `client_id` (`Schema/0013`'s index).
    ///
    /// `subject` is SQL text standing for the subject: a bind parameter such as `$1`.
    package static func streams(ofSubject subject: String) -> String {
        """
        SELECT stream_id FROM events
        WHERE data->>'sub' = \(subject) AND type IN ('grant.started', 'session.started', 'login.accepted', 'consent.remembered')
        UNION ALL
        SELECT stream_id FROM events WHERE data->>'client_id' = \(subject) AND type = 'grant.client_credentials'
        """
    }

    /// Up to `limit` events of `subject` with `seq < before` (all when nil), newest first.
    package func page(_ subject: Subject, before: Int64?, limit: Int) async throws(LedgerStoreError) -> [Entry] {
        let rows = try await client.rows(
            """
            SELECT e.seq, e.stream_id, e.type, (extract(epoch FROM e.occurred_at) * 1000)::bigint, e.data::text
            FROM events e
            WHERE e.seq < \(before ?? Int64.max)
              AND (e.stream_id = 'subject/' || \(subject.rawValue)
                   OR e.stream_id IN (\(unescaped: Self.streams(ofSubject: "$2"))))
            ORDER BY e.seq DESC
            LIMIT \(Int64(max(1, min(limit, 500))))
            """,
            logger: logger
        ) { try $0.decode((Int64, String, String, Int64, String).self) }
        do {
            return try rows.map { seq, stream, type, occurred, data in
                Entry(
                    seq: seq, streamID: stream, type: type, occurredAtMilliseconds: occurred,
                    data: try JSONDecoder().decode(JSONValue.self, from: Data(data.utf8))
                )
            }
        } catch {
            throw LedgerStoreError(.encoding, "history payload: \(error)")
        }
    }
}
