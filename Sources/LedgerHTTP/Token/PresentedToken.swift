import LedgerDomain
import LedgerPostgres
import LedgerService

/// A token presented to `/revoke` or `/introspect`, resolved against the ledger. A compact JWS
/// is taken for an access token and must carry a valid signature by a published key of this
/// issuer; anything else is looked up as a refresh token by its hash. Hints are not needed:
/// the two kinds cannot be confused.
enum PresentedToken: Sendable {
    typealias RefreshTokenGrant = GrantStore.RefreshTokenGrant

    /// A refresh token: its grant as found at the time asked (with the generation the index
    /// records and the deny-list's verdict), and its hash.
    case refresh(RefreshTokenGrant, hash: TokenHash)
    /// An access token this issuer signed (its claims are not yet checked for expiry).
    case access(AccessTokenClaims)
    /// Unknown, malformed, or not ours.
    case unknown
}

extension TokenServices {
    /// Resolves a presented token. Only storage failures throw.
    func resolve(_ token: String, at now: Instant) async throws(OAuthError) -> PresentedToken {
        if token.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            guard let claims = try? await services.keys.verify(token, as: AccessTokenClaims.self),
                claims.iss == services.issuer
            else { return .unknown }
            return .access(claims)
        }
        let hash = SecretDigest.hash(token)
        let store = services.grants
        guard let found = try await orTemporarilyUnavailable("refresh lookup", { try await store.refreshToken(hash, at: now) }) else { return .unknown }
        return .refresh(found, hash: hash)
    }
}
