import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerPostgres

/// `POST /introspect` (RFC 7662): for confidential clients only. A token is active only when
/// it is current, unexpired, its grant not revoked and nothing on the deny-list covers it;
/// otherwise the answer is exactly `{"active":false}`.
struct IntrospectionEndpoint: Sendable {
    let shared: TokenServices

    var services: LedgerServices { shared.services }

    /// Answers one introspection request.
    func handle(_ request: Request) async -> Response {
        await TokenServices.answer { () async throws(OAuthError) -> Response in
            let form = try await FormParameters.body(of: request)
            let client = try await shared.authenticator.authenticate(request, form: form).client
            guard client.isConfidential else {
                throw .invalidClient("introspection requires client authentication", basicAttempted: false)
            }
            guard let token = form["token"] else { throw .invalidRequest("token is missing") }
            let now = services.now()
            let answer: Introspection =
                switch try await shared.resolve(token, at: now) {
                case .refresh(let found, let hash): try await refresh(found, hash, now: now)
                case .access(let claims): try await access(claims, now: now)
                case .unknown: .inactive
                }
            return answer.response()
        }
    }

    private func refresh(_ found: GrantStore.RefreshTokenGrant, _ hash: TokenHash, now: Instant) async throws(OAuthError) -> Introspection {
        let grant = found.grant
        guard grant.status == .active, !found.denied, let family = grant.refresh, family.generation == found.generation,
            family.currentHash == hash
        else { return .inactive }
        let clients = services.clients
        guard let owner = try await shared.orTemporarilyUnavailable("client load", { try await clients.load(grant.clientID) }), owner.active
        else { return .inactive }
        let expiresAt = min(grant.refreshAbsoluteExpiresAt, family.issuedAt.adding(owner.registration.lifetimes.refreshTokenIdle))
        guard now < expiresAt else { return .inactive }
        return Introspection(
            active: true, scope: grant.scope.description, clientID: grant.clientID.rawValue, sub: grant.subject.rawValue,
            exp: expiresAt.seconds, iat: family.issuedAt.seconds, tokenType: "refresh_token", iss: services.issuer
        )
    }

    private func access(_ claims: AccessTokenClaims, now: Instant) async throws(OAuthError) -> Introspection {
        guard try await shared.isActive(claims, at: now) else { return .inactive }
        return Introspection(
            active: true, scope: claims.scope, clientID: claims.clientID, sub: claims.sub, exp: claims.exp, iat: claims.iat,
            tokenType: "Bearer", jti: claims.jti, iss: claims.iss, aud: claims.aud
        )
    }
}

/// An RFC 7662 §2.2 introspection response; absent members are omitted.
struct Introspection: Encodable {
    var active: Bool
    var scope: String?
    var clientID: String?
    var sub: String?
    var exp: Int64?
    var iat: Int64?
    var tokenType: String?
    var jti: String?
    var iss: String?
    var aud: String?

    /// The answer for any token that is not active.
    static let inactive = Introspection(active: false)

    /// The JSON answer, never cached.
    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data(#"{"active":false}"#.utf8)
        return Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    enum CodingKeys: String, CodingKey {
        case active, scope, clientID = "client_id", sub, exp, iat, tokenType = "token_type", jti, iss, aud
    }
}
