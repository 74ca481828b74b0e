import Foundation
import LedgerDomain

/// Mints RFC 9068 JWT access tokens (`typ: at+jwt`) with the key ring's active key. The claims
/// use the same `now` and lifetime the decision gets, so the token's `iat`/`exp` are those
/// the `grant.access_token.issued` event records.
struct AccessTokenMinter: Sendable {
    /// A signed access token and what the response says about it.
    struct Minted: Sendable {
        var token: String
        var jti: TokenID
        var scope: Scope
        var expiresIn: Int64
    }

    let services: LedgerServices

    /// Signs a new access token of `grant` with a fresh `jti`.
    func mint(
        grant: GrantID, subject: Subject, client: ClientID, session: SessionID?, scope: Scope, now: Instant,
        lifetimes: Lifetimes
    ) async throws(OAuthError) -> Minted {
        let jti = TokenID(RandomUUID.make())
        let claims = AccessTokenClaims(
            issuer: services.issuer, audience: services.accessTokenAudience, grant: grant, subject: subject,
            client: client, session: session, scope: scope, jti: jti, issuedAt: now,
            expiresAt: now.adding(lifetimes.accessToken)
        )
        do {
            let token = try await services.keys.sign(claims, type: "at+jwt")
            return Minted(token: token, jti: jti, scope: scope, expiresIn: lifetimes.accessToken.components.seconds)
        } catch {
            services.logger.error("access token signing failed", metadata: ["error": "\(error)"])
            throw .temporarilyUnavailable("no signing key is available")
        }
    }
}
