import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

extension TokenEndpoint {
    /// `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): the code, found by
    /// its hash, is redeemed once with its exact redirect_uri and the S256 verifier. A replayed
    /// code is refused and its grant revoked (I7) — the domain decides it, the store commits it
    /// before the error answers.
    func redeemCode(_ form: FormParameters, caller: AuthenticatedClient, metadata: EventMetadata) async throws(OAuthError) -> Response {
        let client = caller.client
        guard let code = form["code"] else { throw .invalidRequest("code is missing") }
        var challenge: String?
        if let verifier = form["code_verifier"] {
            guard let computed = PKCE.s256Challenge(of: verifier) else {
                throw .invalidGrant("code_verifier must be 43-128 unreserved characters")
            }
            challenge = computed
        }
        let codeHash = SecretDigest.hash(code)
        let store = services.grants
        guard let grantID = try await shared.orTemporarilyUnavailable("code lookup", { try await store.authorizationCode(codeHash) }),
            let (grant, version) = try await shared.orTemporarilyUnavailable("grant load", { try await store.load(grantID) })
        else { throw OAuthError(grantRefusal: GrantError(.unknown, grant: nil, "no such code")) }
        let now = services.now()
        if try await shared.isDenied(grant, at: now) {
            throw OAuthError(grantRefusal: GrantError(.revoked, grant: grant.id, "deny-listed"))
        }
        let lifetimes = client.registration.lifetimes
        let access = try await shared.minter.mint(
            grant: grant.id, subject: grant.subject, client: grant.clientID, session: grant.sessionID, scope: grant.scope,
            now: now, lifetimes: lifetimes
        )
        let refreshToken = client.allows(grantType: "refresh_token") ? SecretDigest.mint() : nil
        // OIDC Core §3.1.3.3: an ID token only when `openid` was granted; nonce and auth_time
        // come from the code, sid from the grant.
        let idToken = grant.scope.contains("openid")
            ? try await shared.idTokens.mint(for: grant, accessToken: access.token, nonce: grant.code?.nonce, now: now, lifetimes: lifetimes)
            : nil
        _ = try await execute(
            .redeemCode(.init(
                codeHash: codeHash, clientID: client.id, redirectURI: form["redirect_uri"], verifierChallenge: challenge,
                accessToken: access.jti, refreshTokenHash: refreshToken.map(SecretDigest.hash), idToken: idToken?.jti
            )),
            on: grant.id, start: .loaded(grant, version: version), caller: caller, context: DecisionContext(now: now, lifetimes: lifetimes),
            metadata: metadata
        )
        TokenMetrics.issued(grantType: "authorization_code")
        return TokenResponse.response(TokenResponse(access: access, refreshToken: refreshToken, idToken: idToken?.token).body())
    }
}
