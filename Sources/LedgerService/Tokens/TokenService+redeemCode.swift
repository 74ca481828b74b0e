import LedgerDomain
import LedgerPostgres

extension TokenService {
    /// `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5): the code, found by its hash, is
    /// redeemed once with its exact `redirectURI` and the S256 challenge of the verifier the
    /// client sent (`verifierChallenge`, computed at the edge). A replayed code is refused and
    /// its grant revoked (I7): the domain decides it, the store commits it before the error.
    /// `resources` narrows the access token's audience within the grant's (RFC 8707 §2.2).
    package func redeemCode(
        _ code: String, redirectURI: String?, verifierChallenge: String?, resources: Resources? = nil, caller: AuthenticatedClient,
        metadata: EventMetadata
    ) async throws(TokenError) -> IssuedTokens {
        let client = caller.client
        let codeHash = SecretDigest.hash(code)
        let grants = stores.grants
        guard let grantID = try await orUnavailable("code lookup", { try await grants.authorizationCode(codeHash) }),
            let (grant, version) = try await orUnavailable("grant load", { try await grants.load(grantID) })
        else { throw .refused(GrantError(.unknown, grant: nil, "no such code")) }
        let context = DecisionContext(now: now(), lifetimes: client.registration.lifetimes)
        if try await isDenied(grant, at: context.now) { throw .refused(GrantError(.revoked, grant: grant.id, "deny-listed")) }
        let access = try await accessTokens.mint(
            grant: grant.id, subject: grant.subject, client: grant.clientID, session: grant.sessionID, scope: grant.scope,
            resources: resources ?? grant.resources, context: context
        )
        let refreshToken = client.allows(grantType: "refresh_token") ? SecretDigest.mint() : nil
        // OIDC Core §3.1.3.3: an ID token only when `openid` was granted; nonce and auth_time
        // come from the code, sid from the grant.
        let idToken = grant.scope.contains("openid")
            ? try await idTokens.mint(
                for: grant, client: client, accessToken: access.token, nonce: grant.code?.nonce, claims: try await delegatedClaims(of: grant.id),
                context: context
            ) : nil
        _ = try await execute(
            .redeemCode(.init(
                codeHash: codeHash, clientID: client.id, redirectURI: redirectURI, verifierChallenge: verifierChallenge,
                accessToken: access.jti, refreshTokenHash: refreshToken.map(SecretDigest.hash), idToken: idToken?.jti,
                fingerprint: metadata.fingerprint, requestedResources: resources
            )),
            on: grant.id, start: .loaded(grant, version: version), caller: caller, context: context, metadata: metadata
        )
        TokenMetrics.issued(grantType: "authorization_code")
        return IssuedTokens(access: access, refreshToken: refreshToken, idToken: idToken?.token)
    }
}
