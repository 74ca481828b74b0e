import LedgerDomain
import LedgerPostgres

/// A token presented to `/revoke`, `/introspect` or as a bearer, resolved against the ledger. A
/// compact JWS is taken for an access token and must carry a valid signature by a published
/// key of this issuer; anything else is looked up as a refresh token by its hash. Hints are not
/// needed: the two kinds cannot be confused.
package enum PresentedToken: Sendable {
    /// A refresh token: its grant as found at the time asked (with the generation the index
    /// records and the deny-list's verdict), and its hash.
    case refresh(GrantStore.RefreshTokenGrant, hash: TokenHash)
    /// An access token this issuer signed (its claims are not yet checked for expiry).
    case access(AccessTokenClaims)
    /// Unknown, malformed, or not ours.
    case unknown
}
