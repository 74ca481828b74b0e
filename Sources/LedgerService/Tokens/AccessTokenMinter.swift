import Foundation
import LedgerDomain
import Logging

/// Mints RFC 9068 JWT access tokens (`typ: at+jwt`) with the key ring's active key. The claims
/// take `iat` and `exp` from the decision context the command is decided under, so the token
/// says exactly what its `grant.access_token.issued` event records.
package struct AccessTokenMinter: Sendable {
    /// A signed access token and what the response says about it.
    package struct Minted: Sendable {
        package var token: String
        package var jti: TokenID
        package var scope: Scope
        package var expiresIn: Int64
    }

    let issuer: String
    /// The `aud` of a token asked for no resource.
    let defaultAudience: String
    let keys: KeyRing
    let logger: Logger

    /// Signs a new access token of `grant` with id `jti` (a fresh one unless given), issued
    /// under `context`, for `resources` (its `aud`; the default audience when nil).
    func mint(
        grant: GrantID, jti: TokenID? = nil, subject: Subject, client: ClientID, session: SessionID?, scope: Scope,
        resources: Resources?, context: DecisionContext
    ) async throws(TokenError) -> Minted {
        let jti = jti ?? TokenID(LedgerID.make(at: context.now))
        let claims = AccessTokenClaims(
            issuer: issuer, audience: resources?.values ?? [defaultAudience], grant: grant, subject: subject, client: client, session: session, scope: scope,
            jti: jti, issuedAt: context.now, expiresAt: context.accessTokenExpiresAt
        )
        do {
            let token = try await keys.sign(claims, type: AccessTokenClaims.type)
            return Minted(token: token, jti: jti, scope: scope, expiresIn: context.lifetimes.accessToken.components.seconds)
        } catch {
            logger.error("access token signing failed", metadata: ["error": "\(error)"])
            throw .unavailable("no signing key is available")
        }
    }
}
