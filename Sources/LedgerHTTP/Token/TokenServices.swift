import Crypto
import Foundation
import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

/// What `/token`, `/revoke`, `/introspect` and `/userinfo` share: the services, client
/// authentication, the deny-list, the token minters, and the rule that storage failures answer 503
/// `temporarily_unavailable` (never 500) after logging a secret-free description.
struct TokenServices: Sendable {
    let services: LedgerServices
    let authenticator: ClientAuthenticator
    let denyList: DenyList
    let minter: AccessTokenMinter
    let idTokens: IDTokenMinter

    init(_ services: LedgerServices) {
        self.services = services
        authenticator = ClientAuthenticator(clients: services.clients)
        denyList = DenyList(client: services.database, logger: services.logger)
        minter = AccessTokenMinter(services: services)
        idTokens = IDTokenMinter(services: services)
    }

    /// Runs a ledger read or write; any failure becomes `temporarily_unavailable`.
    func orTemporarilyUnavailable<T>(_ what: String, _ body: () async throws -> T) async throws(OAuthError) -> T {
        do {
            return try await body()
        } catch {
            throw unavailable(what, error)
        }
    }

    /// Logs a failed ledger call and answers `temporarily_unavailable`.
    func unavailable(_ what: String, _ error: any Error) -> OAuthError {
        // LedgerStoreError descriptions never carry secrets or bound values.
        services.logger.error("ledger call failed", metadata: ["what": "\(what)", "error": "\(error)"])
        return .temporarilyUnavailable("the token service is temporarily unavailable")
    }

    /// Whether the deny-list revokes a whole grant: the grant or its session, or its subject or
    /// client revoked after the grant started.
    func isDenied(_ grant: Grant, at now: Instant) async throws(OAuthError) -> Bool {
        let token = DenyList.Token(
            grantID: grant.id, sessionID: grant.sessionID, subject: grant.subject, clientID: grant.clientID,
            issuedAt: grant.startedAt
        )
        return try await orTemporarilyUnavailable("deny-list") { try await denyList.isRevoked(token, at: now) }
    }

    /// Whether an access token this issuer signed is still good at `now`: unexpired, nothing
    /// on the deny-list covers it (its jti, grant, session, or its subject or client since it
    /// was issued), and its grant is not revoked.
    func isActive(_ claims: AccessTokenClaims, at now: Instant) async throws(OAuthError) -> Bool {
        guard now < Instant(seconds: claims.exp) else { return false }
        let denyKeys = DenyList.Token(
            jti: TokenID(claims.jti), grantID: GrantID(claims.grantID), sessionID: claims.sid.map(SessionID.init),
            subject: Subject(claims.sub), clientID: ClientID(claims.clientID), issuedAt: Instant(seconds: claims.iat)
        )
        let denyList = self.denyList
        guard try await !orTemporarilyUnavailable("deny-list", { try await denyList.isRevoked(denyKeys, at: now) }) else { return false }
        let grants = services.grants
        guard let (grant, _) = try await orTemporarilyUnavailable("grant load", { try await grants.load(GrantID(claims.grantID)) }) else { return false }
        return grant.status != .revoked
    }

    /// Who caused the events of a request: the client, the request id and a hash of the
    /// User-Agent (I6: never the header itself).
    func metadata(client: Client, request: Request, requestID: String) -> EventMetadata {
        let userAgent = request.headers[.userAgent].map(SecretDigest.sha256Hex)
        return EventMetadata(
            actor: "client:\(client.id)", clientID: client.id.rawValue, requestID: requestID, userAgentHash: userAgent
        )
    }

    /// Turns a protocol error into its RFC 6749 §5.2 answer.
    static func answer(_ body: () async throws(OAuthError) -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return error.response()
        }
    }
}
