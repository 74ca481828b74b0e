import LedgerDomain
import LedgerPostgres

/// A token presented to `/revoke` or `/introspect`, resolved against the ledger. A compact JWS
/// is taken for an access token and must carry a valid signature by a published key of this
/// issuer; anything else is looked up as a refresh token by its hash. Hints are not needed:
/// the two kinds cannot be confused.
enum PresentedToken: Sendable {
    /// A refresh token: its grant, the generation the index records, and its hash.
    case refresh(grant: Grant, generation: Int, hash: TokenHash)
    /// An access token this issuer signed (its claims are not yet checked for expiry).
    case access(AccessTokenClaims)
    /// Unknown, malformed, or not ours.
    case unknown
}

extension TokenServices {
    /// Resolves a presented token. Only storage failures throw.
    func resolve(_ token: String) async throws(OAuthError) -> PresentedToken {
        if token.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            guard let claims = try? await services.keys.verify(token, as: AccessTokenClaims.self),
                claims.iss == services.issuer
            else { return .unknown }
            return .access(claims)
        }
        let hash = SecretDigest.hash(token)
        let store = services.grants
        guard let (grantID, generation) = try await ledger("refresh lookup", { try await store.refreshToken(hash) }),
            let (grant, _) = try await ledger("grant load", { try await store.load(grantID) })
        else { return .unknown }
        return .refresh(grant: grant, generation: generation, hash: hash)
    }
}
