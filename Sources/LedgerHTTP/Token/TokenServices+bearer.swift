import Hummingbird
import LedgerDomain
import LedgerService

extension TokenServices {
    /// The claims of the request's `Authorization: Bearer` access token, which must be signed
    /// by this issuer as an access token (`typ: at+jwt`), for this service (`aud` names the
    /// issuer, RFC 8707), active as introspection sees it (unexpired, grant not revoked, nothing on
    /// the deny-list covering it) and carry `scope`. `form` is the body of a form POST, whose
    /// `access_token` may carry the token instead (RFC 6750 §2.2). Errors are RFC 6750's (§3.1).
    func bearerClaims(of request: Request, form: FormParameters? = nil, requiring scope: String) async throws(OAuthError) -> AccessTokenClaims {
        guard let token = try BearerChallenge.token(in: request, form: form) else { throw BearerChallenge.missing }
        let tokens = self.tokens
        let now = services.now()
        guard case .access(let claims) = try await calling(nil, { () async throws(TokenError) in try await tokens.resolve(token, at: now) }) else {
            throw BearerChallenge.invalidToken("the access token is not valid")
        }
        guard claims.aud.value.contains(tokens.issuer) else { throw BearerChallenge.invalidToken("the access token is for another resource") }
        guard try await calling(nil, { () async throws(TokenError) in try await tokens.isActive(claims, at: now) }) else {
            throw BearerChallenge.invalidToken("the access token is expired or revoked")
        }
        guard Scope(parsing: claims.scope).contains(scope) else { throw BearerChallenge.insufficientScope(scope) }
        return claims
    }
}
