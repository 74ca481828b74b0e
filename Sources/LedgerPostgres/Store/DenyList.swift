import LedgerDomain
import Logging
import PostgresNIO

/// The `denylist` projection as a question: is a token revoked? One query (`denylist_covers`,
/// `Schema/0007`) covers every scope of docs/broadcast.md — the token itself (`jti`), its grant, its session, and its subject or client when
/// revoked after the token was issued. Entries whose `until` has passed are ignored: every
/// token they covered has expired anyway.
package struct DenyList: Sendable {
    /// What identifies a token for the deny-list.
    package struct Token: Sendable, Hashable {
        /// The access token's `jti`; nil for refresh tokens and grants.
        package var jti: TokenID?
        /// The grant the token belongs to.
        package var grantID: GrantID?
        /// The OP session, for browser logins.
        package var sessionID: SessionID?
        /// The user (`sub`).
        package var subject: Subject?
        /// The client the token was issued to.
        package var clientID: ClientID?
        /// When the token (or, for a refresh token, its grant) was issued; subject and client
        /// revocations cover what was issued before their `not_before`.
        package var issuedAt: Instant

        /// Creates the identifiers of a token.
        package init(
            jti: TokenID? = nil, grantID: GrantID?, sessionID: SessionID?, subject: Subject?, clientID: ClientID?,
            issuedAt: Instant
        ) {
            self.jti = jti
            self.grantID = grantID
            self.sessionID = sessionID
            self.subject = subject
            self.clientID = clientID
            self.issuedAt = issuedAt
        }
    }

    private let client: PostgresClient
    private let logger: Logger

    /// Creates a deny-list reader over a running client.
    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Whether any entry still in force at `now` revokes `token`.
    package func isRevoked(_ token: Token, at now: Instant) async throws(LedgerStoreError) -> Bool {
        let query: PostgresQuery = """
            SELECT denylist_covers(\(now.milliseconds), \(token.jti?.rawValue), \(token.grantID?.rawValue),
                \(token.sessionID?.rawValue), \(token.subject?.rawValue), \(token.clientID?.rawValue), \(token.issuedAt.milliseconds))
            """
        return try await client.firstRow(query, as: Bool.self, logger: logger) ?? false
    }
}
