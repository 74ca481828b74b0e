import Foundation
import Hummingbird
import LedgerDomain
import LedgerPostgres

extension TokenEndpoint {
    /// `grant_type=client_credentials` (RFC 6749 §4.4): a new grant per request, one access
    /// token, no refresh token; the scope must be within the client's registered scope.
    func clientCredentials(_ form: FormParameters, caller: AuthenticatedClient, metadata: EventMetadata) async throws(OAuthError) -> Response {
        let client = caller.client
        guard client.isConfidential else {
            throw .unauthorizedClient("client_credentials requires a confidential client")
        }
        let registered = client.registration.scope
        let scope = try Self.requestedScope(form) ?? registered
        guard registered.contains(scope) else { throw .invalidScope("the requested scope exceeds the client's registration") }
        let grant = GrantID(RandomUUID.make())
        let now = services.now()
        let lifetimes = client.registration.lifetimes
        let access = try await shared.minter.mint(
            grant: grant, subject: Subject(client.id.rawValue), client: client.id, session: nil, scope: scope, now: now,
            lifetimes: lifetimes
        )
        _ = try await execute(
            .startWithClientCredentials(.init(grantID: grant, clientID: client.id, scope: scope, accessToken: access.jti)),
            on: grant, start: .absent, caller: caller, context: DecisionContext(now: now, lifetimes: lifetimes), metadata: metadata
        )
        TokenMetrics.issued(grantType: "client_credentials")
        return TokenResponse.response(TokenResponse(access: access, refreshToken: nil).body())
    }
}
