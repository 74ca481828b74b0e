import LedgerDomain
import LedgerPostgres

extension TokenService {
    /// The scope that lets a client (a resource server) introspect other clients' access tokens.
    package static let introspectionScope = "introspect"

    /// Introspection (RFC 7662) for a confidential client. A token is active only when it is
    /// current, unexpired, its grant not revoked and nothing on the deny-list covers it. The
    /// client is checked before the request's `token` (nil when it named none).
    ///
    /// A client learns about its own tokens; one registered with the `introspect` scope also
    /// about other clients' access tokens. Another client's refresh token is never described:
    /// anything the caller may not see answers `{"active": false}` (RFC 7662 §2.2), so the
    /// endpoint is no oracle for tokens of other clients.
    package func introspect(_ token: String?, by client: Client) async throws(TokenError) -> Introspection {
        guard client.isConfidential else { throw .invalidClient("introspection requires client authentication") }
        guard let token else { throw .invalidRequest("token is missing") }
        let now = self.now()
        switch try await resolve(token, at: now) {
        case .refresh(let found, let hash):
            guard found.grant.clientID == client.id else { return .inactive }
            return try await refresh(found, hash, now: now)
        case .access(let claims):
            guard claims.clientID == client.id.rawValue || client.registration.scope.contains(Self.introspectionScope) else { return .inactive }
            return try await access(claims, now: now)
        case .unknown: return .inactive
        }
    }

    private func refresh(_ found: GrantStore.RefreshTokenGrant, _ hash: TokenHash, now: Instant) async throws(TokenError) -> Introspection {
        let grant = found.grant
        guard grant.status == .active, !found.denied, let family = grant.refresh, family.generation == found.generation,
            family.currentHash == hash
        else { return .inactive }
        let clients = stores.clients
        guard let owner = try await orUnavailable("client load", { try await clients.load(grant.clientID) }), owner.active
        else { return .inactive }
        let expiresAt = min(grant.refreshAbsoluteExpiresAt, family.issuedAt.adding(owner.registration.lifetimes.refreshTokenIdle))
        guard now < expiresAt else { return .inactive }
        return Introspection(
            active: true, scope: grant.scope.description, clientID: grant.clientID.rawValue, sub: grant.subject.rawValue,
            exp: expiresAt.seconds, iat: family.issuedAt.seconds, tokenType: "refresh_token", iss: issuer
        )
    }

    private func access(_ claims: AccessTokenClaims, now: Instant) async throws(TokenError) -> Introspection {
        guard try await isActive(claims, at: now) else { return .inactive }
        return Introspection(
            active: true, scope: claims.scope, clientID: claims.clientID, sub: claims.sub, exp: claims.exp, iat: claims.iat,
            tokenType: "Bearer", jti: claims.jti, iss: claims.iss, aud: claims.aud
        )
    }
}
