import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Read-only queries that find grants for administrative revocations and listings: the
/// unrevoked grants of a session or a subject, and the grant that issued an access token.
package struct GrantLookup: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates a lookup over a running client.
    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The unrevoked grants of an OP session.
    package func unrevokedGrants(ofSession sid: SessionID) async throws(LedgerStoreError) -> [GrantID] {
        try await client.rows(
            "SELECT grant_id FROM grants WHERE session_id = \(sid.rawValue) AND status <> 'revoked' ORDER BY grant_id",
            logger: logger
        ) { GrantID(try $0.decode(String.self)) }
    }

    /// When the latest grant of an OP session started (its latest sign-in by single sign-on);
    /// nil when no grant carries the sid.
    package func latestGrantStart(ofSession sid: SessionID) async throws(LedgerStoreError) -> Instant? {
        try await client.firstRow(
            "SELECT max((state->>'started_at')::bigint) FROM grants WHERE session_id = \(sid.rawValue)",
            as: Int64?.self, logger: logger
        ).flatMap { $0 }.map { Instant(milliseconds: $0) }
    }

    /// When every token issued in an OP session's grants has expired (the latest
    /// `tokens_expire_by` of its grants); nil when no grant carries the sid.
    package func tokensExpireBy(ofSession sid: SessionID) async throws(LedgerStoreError) -> Instant? {
        try await client.firstRow(
            "SELECT max((state->>'tokens_expire_by')::bigint) FROM grants WHERE session_id = \(sid.rawValue)",
            as: Int64?.self, logger: logger
        ).flatMap { $0 }.map { Instant(milliseconds: $0) }
    }

    /// The unrevoked grants of a subject with their state, oldest first (admin listing).
    /// A grant a subject, client or session revocation covers is revoked even when no event of
    /// its own says so: the deny-list's watermark decides, as it does for its tokens.
    package func unrevokedGrantStates(ofSubject sub: Subject, at now: Instant) async throws(LedgerStoreError) -> [Grant] {
        let states = try await client.rows(
            """
            SELECT state::text FROM grants WHERE subject = \(sub.rawValue) AND status <> 'revoked'
            AND NOT denylist_covers(\(now.milliseconds), NULL, grant_id, session_id, subject, client_id, (state->>'started_at')::bigint)
            ORDER BY (state->>'started_at')::bigint, grant_id
            """,
            logger: logger
        ) { try $0.decode(String.self) }
        return try states.map { (json) throws(LedgerStoreError) in try Grant.decodeState(json) }
    }

    /// The subject of an OP session, as its grants record it; nil when no grant carries the sid.
    package func subject(ofSession sid: SessionID) async throws(LedgerStoreError) -> Subject? {
        try await client.firstRow(
            "SELECT subject FROM grants WHERE session_id = \(sid.rawValue) LIMIT 1", as: String.self, logger: logger
        ).map(Subject.init)
    }

    /// The grant that issued the access token `jti`, and when that token expires; nil when no
    /// access token with this id was ever issued.
    ///
    /// Reads the log itself: a client credentials token by its stream (its `jti` is its grant
    /// id), any other by `grant.access_token.issued`, which has no jti index: meant for the
    /// occasional administrative revocation, not for a request path.
    package func accessToken(_ jti: TokenID) async throws(LedgerStoreError) -> (grant: GrantID, expiresAt: Instant)? {
        guard
            let (stream, expires) = try await client.firstRow(
                """
                SELECT stream_id, (data->>'expires_at')::bigint FROM events
                WHERE stream_id = 'grant/' || \(jti.rawValue) AND stream_version = 1 AND type = 'grant.client_credentials'
                UNION ALL
                (SELECT stream_id, (data->>'expires_at')::bigint FROM events
                 WHERE type = 'grant.access_token.issued' AND data->>'jti' = \(jti.rawValue) LIMIT 1)
                LIMIT 1
                """,
                as: (String, Int64).self, logger: logger
            ), let streamID = StreamID(stream), streamID.kind == "grant"
        else { return nil }
        return (GrantID(streamID.id), Instant(milliseconds: expires))
    }
}
