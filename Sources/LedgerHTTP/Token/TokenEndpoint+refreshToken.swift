import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

extension TokenEndpoint {
    /// `grant_type=refresh_token` (RFC 6749 §6) with rotation on every use (I3): exactly one
    /// concurrent use wins; a rotated token presented again revokes the grant, except inside
    /// the client's grace window, where it gets the very bytes the winner got.
    ///
    /// A token this process issued in its last rotation of the family is rotated without a
    /// read (``GrantStore/rotatedRefreshToken(_:)``): the append expects the grant's version
    /// and carries the subject and session versions as its read set, so it commits only if
    /// nothing that could revoke or rotate the grant happened since. Otherwise it writes
    /// nothing, and the rotation is decided once more from the database.
    func refresh(_ form: FormParameters, caller: AuthenticatedClient, metadata: EventMetadata) async throws(OAuthError) -> Response {
        guard let presented = form["refresh_token"] else { throw .invalidRequest("refresh_token is missing") }
        let requested = try Self.requestedScope(form)
        let presentedHash = SecretDigest.hash(presented)
        let store = services.grants
        var remembered = store.rotatedRefreshToken(presentedHash)
        // Two passes: if something the decision read moved, nothing was written, and the token
        // is read again (a remembered entry may be outdated; a read's subject or session may
        // have moved before its append). The caller's registration moving fails every pass.
        for _ in 0..<2 {
            let found: GrantStore.RefreshTokenGrant
            if let entry = remembered {
                found = entry
                remembered = nil
            } else {
                let now = services.now()
                guard let read = try await shared.orTemporarilyUnavailable("refresh lookup", { try await store.refreshToken(presentedHash, at: now) }) else {
                    throw OAuthError(grantRefusal: GrantError(.unknown, grant: nil, "no such refresh token"))
                }
                found = read
            }
            if let response = try await rotate(
                found, presented: presented, presentedHash: presentedHash, requested: requested, caller: caller, metadata: metadata
            ) {
                return response
            }
        }
        throw registrationChanged(caller)
    }

    /// One rotation decided on `found`; nil, with nothing written, if a stream it read moved.
    private func rotate(
        _ found: GrantStore.RefreshTokenGrant, presented: String, presentedHash: TokenHash, requested: Scope?, caller: AuthenticatedClient,
        metadata: EventMetadata
    ) async throws(OAuthError) -> Response? {
        let client = caller.client
        let grant = found.grant
        if found.denied {
            throw OAuthError(grantRefusal: GrantError(.revoked, grant: grant.id, "deny-listed"))
        }
        let now = services.now()
        let lifetimes = client.registration.lifetimes
        let access = try await shared.minter.mint(
            grant: grant.id, subject: grant.subject, client: grant.clientID, session: grant.sessionID,
            scope: requested ?? grant.scope, now: now, lifetimes: lifetimes
        )
        // OIDC Core §12.2: a new ID token with the login's sub, sid and auth_time, no nonce.
        let idToken = grant.scope.contains("openid") && access.scope.contains("openid")
            ? try await shared.idTokens.mint(for: grant, accessToken: access.token, nonce: nil, now: now, lifetimes: lifetimes) : nil
        let successor = SecretDigest.mint()
        let successorHash = SecretDigest.hash(successor)
        let body = TokenResponse(access: access, refreshToken: successor, idToken: idToken?.token).body()
        let sealed = lifetimes.refreshGrace > .zero ? GraceSeal.seal(body, presented: presented, grant: grant.id) : nil
        guard let outcome = try await attempt(
            .refresh(.init(
                presentedHash: presentedHash, presentedGeneration: found.generation, clientID: client.id,
                requestedScope: requested, successorHash: successorHash, accessToken: access.jti, sealedResponse: sealed,
                idToken: idToken?.jti
            )),
            on: grant.id, start: .loaded(grant, version: found.version), caller: caller,
            context: DecisionContext(now: now, lifetimes: lifetimes), metadata: metadata, reads: found.reads
        ) else { return nil }
        if outcome.decision.events.contains(where: { if case .refreshTokenGraceReplayed = $0 { true } else { false } }) {
            guard let stored = outcome.before?.refresh?.lastRotation?.sealedResponse,
                let replay = GraceSeal.open(stored, presented: presented, grant: grant.id)
            else { throw OAuthError(grantRefusal: GrantError(.reuseDetected, grant: grant.id, "sealed response unavailable")) }
            return TokenResponse.response(replay)
        }
        services.grants.remember(successor: successorHash, of: found, after: outcome)
        TokenMetrics.issued(grantType: "refresh_token")
        return TokenResponse.response(body)
    }
}
