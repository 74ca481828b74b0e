import LedgerDomain
import LedgerPostgres

extension TokenService {
    /// `client_credentials` (RFC 6749 §4.4): a new grant per request, one access token whose
    /// `jti` is the grant id, no refresh token, and one event; `requested` (nil: the registered scope) must be within the client's
    /// registered scope, and `resources` (RFC 8707; nil: the default audience) among those it
    /// may ask for.
    package func clientCredentials(
        scope requested: Scope?, resources: Resources? = nil, caller: AuthenticatedClient, metadata: EventMetadata
    ) async throws(TokenError) -> IssuedTokens {
        let client = caller.client
        guard client.isConfidential else { throw .unauthorizedClient("client_credentials requires a confidential client") }
        let registered = client.registration.scope
        let scope = requested ?? registered
        guard registered.contains(scope) else { throw .invalidScope("the requested scope exceeds the client's registration") }
        if let resources, !permits(resources, for: client) { throw .invalidTarget("a requested resource is not registered for this client") }
        let context = DecisionContext(now: now(), lifetimes: client.registration.lifetimes)
        let grant = GrantID(LedgerID.make(at: context.now))
        let access = try await accessTokens.mint(
            grant: grant, jti: TokenID(grant.rawValue), subject: Subject(client.id.rawValue), client: client.id, session: nil, scope: scope, resources: resources,
            context: context
        )
        _ = try await execute(
            .startWithClientCredentials(.init(grantID: grant, clientID: client.id, scope: scope, resources: resources)),
            on: grant, start: .absent, caller: caller, context: context, metadata: metadata
        )
        TokenMetrics.issued(grantType: "client_credentials")
        return IssuedTokens(access: access, refreshToken: nil)
    }
}
