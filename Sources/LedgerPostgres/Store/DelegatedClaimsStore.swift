import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// The claims the platform's login and consent apps supplied for one login flow, and, once its
/// code is issued, for its grant (`delegated_claims`, `Schema/0011`). Not part of the log: the
/// log records only the claims' names.
package struct DelegatedClaimsStore: Sendable {
    /// One flow's claims: `login` (from the login app, for the ID token and userinfo), and
    /// `idToken` and `userinfo` (from the consent app, for one of them each, winning over
    /// `login`).
    package struct Claims: Sendable, Hashable, Codable {
        package var login: [String: JSONValue]?
        package var idToken: [String: JSONValue]?
        package var userinfo: [String: JSONValue]?
        /// The login app's `acr` and `amr`, for the ID token.
        package var acr: String?
        package var amr: [String]?

        /// Creates claims.
        package init(
            login: [String: JSONValue]? = nil, idToken: [String: JSONValue]? = nil, userinfo: [String: JSONValue]? = nil,
            acr: String? = nil, amr: [String]? = nil
        ) {
            self.login = login
            self.idToken = idToken
            self.userinfo = userinfo
            self.acr = acr
            self.amr = amr
        }

        /// What the ID token may carry, before the scope filter.
        package var forIDToken: [String: JSONValue] { (login ?? [:]).merging(idToken ?? [:]) { $1 } }
        /// What userinfo may answer, before the scope filter.
        package var forUserinfo: [String: JSONValue] { (login ?? [:]).merging(userinfo ?? [:]) { $1 } }

        enum CodingKeys: String, CodingKey { case login, idToken = "id_token", userinfo, acr, amr }
    }

    private let database: PostgresClient
    private let logger: Logger

    /// Creates the store over a running client.
    package init(client: PostgresClient, logger: Logger) {
        self.database = client
        self.logger = logger
    }

    /// Adds `claims` to the flow's (a part given again replaces the earlier one), kept until
    /// `expiresAt`.
    package func add(_ claims: Claims, flow: LoginFlowID, expiresAt: Instant) async throws(LedgerStoreError) {
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(claims), as: UTF8.self)
        } catch {
            throw LedgerStoreError(.encoding, "delegated claims: \(error)")
        }
        _ = try await database.rows(
            """
            INSERT INTO delegated_claims (flow_id, claims, expires_ms) VALUES (\(flow.rawValue), \(json)::jsonb, \(expiresAt.milliseconds))
            ON CONFLICT (flow_id) DO UPDATE SET claims = delegated_claims.claims || EXCLUDED.claims,
                expires_ms = greatest(delegated_claims.expires_ms, EXCLUDED.expires_ms)
            """,
            logger: logger
        ) { _ in () }
    }

    /// Hands the flow's claims to the grant its code started in `session` for `client`, kept
    /// until `expiresAt` (when no token of the grant can be issued any more).
    package func bind(
        flow: LoginFlowID, to grant: GrantID, session: SessionID, client: ClientID, at now: Instant, expiresAt: Instant
    ) async throws(LedgerStoreError) {
        _ = try await database.rows(
            """
            UPDATE delegated_claims SET grant_id = \(grant.rawValue), session_id = \(session.rawValue), client_id = \(client.rawValue),
                bound_ms = \(now.milliseconds), expires_ms = \(expiresAt.milliseconds)
            WHERE flow_id = \(flow.rawValue)
            """,
            logger: logger
        ) { _ in () }
    }

    /// Gives `grant`, started in `session` without the apps, the claims of the session's latest
    /// delegated grant: all of them when it was for the same `client`, else only the login app's.
    package func inherit(
        session: SessionID, client: ClientID, grant: GrantID, at now: Instant, expiresAt: Instant
    ) async throws(LedgerStoreError) {
        _ = try await database.rows(
            """
            INSERT INTO delegated_claims (flow_id, grant_id, session_id, client_id, claims, expires_ms, bound_ms)
            SELECT \(grant.rawValue), \(grant.rawValue), session_id, \(client.rawValue),
                CASE WHEN client_id = \(client.rawValue) THEN claims ELSE claims - 'id_token' - 'userinfo' END,
                \(expiresAt.milliseconds), \(now.milliseconds)
            FROM delegated_claims
            WHERE session_id = \(session.rawValue) AND expires_ms > \(now.milliseconds)
            ORDER BY client_id = \(client.rawValue) DESC, bound_ms DESC
            LIMIT 1
            """,
            logger: logger
        ) { _ in () }
    }

    /// The claims of a grant, if its login was delegated and supplied any.
    package func claims(of grant: GrantID, at now: Instant) async throws(LedgerStoreError) -> Claims? {
        let text = try await database.firstRow(
            "SELECT claims::text FROM delegated_claims WHERE grant_id = \(grant.rawValue) AND expires_ms > \(now.milliseconds)",
            as: String.self, logger: logger
        )
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(Claims.self, from: Data(text.utf8))
        } catch {
            throw LedgerStoreError(.encoding, "delegated claims of \(grant): \(error)")
        }
    }
}
