import Hummingbird
import LedgerDomain
import LedgerPostgres

extension TokenEndpoint {
    /// `grant_type=refresh_token` (RFC 6749 §6) with rotation on every use (I3): exactly one
    /// concurrent use wins; a rotated token presented again revokes the grant, except inside
    /// the client's grace window, where it gets the very bytes the winner got.
    func refresh(_ form: FormParameters, caller: AuthenticatedClient, metadata: EventMetadata) async throws(OAuthError) -> Response {
        let client = caller.client
        guard let presented = form["refresh_token"] else { throw .invalidRequest("refresh_token is missing") }
        let requested = try Self.requestedScope(form)
        let presentedHash = SecretDigest.hash(presented)
        let store = services.grants
        let now = services.now()
        guard let found = try await shared.ledger("refresh lookup", { try await store.refreshToken(presentedHash, at: now) }) else {
            throw OAuthError(grantRefusal: GrantError(.unknown, grant: nil, "no such refresh token"))
        }
        let grant = found.grant
        if found.denied {
            throw OAuthError(grantRefusal: GrantError(.revoked, grant: grant.id, "deny-listed"))
        }
        let lifetimes = client.registration.lifetimes
        let access = try await shared.minter.mint(
            grant: grant.id, subject: grant.subject, client: grant.clientID, session: grant.sessionID,
            scope: requested ?? grant.scope, now: now, lifetimes: lifetimes
        )
        // OIDC Core §12.2: a new ID token with the login's sub, sid and auth_time, no nonce.
        let idToken = grant.scope.contains("openid") && access.scope.contains("openid")
            ? try await shared.idTokens.mint(for: grant, accessToken: access.token, nonce: nil, now: now, lifetimes: lifetimes) : nil
        let successor = SecretDigest.mint()
        let body = TokenResponse(access: access, refreshToken: successor, idToken: idToken?.token).body()
        let sealed = lifetimes.refreshGrace > .zero ? GraceSeal.seal(body, presented: presented, grant: grant.id) : nil
        let outcome = try await execute(
            .refresh(.init(
                presentedHash: presentedHash, presentedGeneration: found.generation, clientID: client.id, requestedScope: requested,
                successorHash: SecretDigest.hash(successor), accessToken: access.jti, sealedResponse: sealed,
                idToken: idToken?.jti
            )),
            on: grant.id, start: .loaded(grant, version: found.version), caller: caller,
            context: DecisionContext(now: now, lifetimes: lifetimes), metadata: metadata
        )
        if outcome.decision.events.contains(where: { if case .refreshTokenGraceReplayed = $0 { true } else { false } }) {
            guard let stored = outcome.before?.refresh?.lastRotation?.sealedResponse,
                let replay = GraceSeal.open(stored, presented: presented, grant: grant.id)
            else { throw OAuthError(grantRefusal: GrantError(.reuseDetected, grant: grant.id, "sealed response unavailable")) }
            return TokenResponse.response(replay)
        }
        TokenMetrics.issued(grantType: "refresh_token")
        return TokenResponse.response(body)
    }
}
