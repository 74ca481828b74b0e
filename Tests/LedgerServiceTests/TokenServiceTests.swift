import Foundation
import LedgerDomain
import LedgerService
import Testing

@Suite("TokenService: authentication, client credentials, revocation and introspection, no HTTP")
struct TokenServiceTests {
    @Test("a wrong secret, another method or an unknown client is invalidClient")
    func authenticationFailures() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.serviceClient()
            let id = caller.client.id.rawValue
            for credentials in [
                ClientCredentials(id: id, secret: "wrong", method: .clientSecretPost),
                ClientCredentials(id: id, secret: "wrong", method: .clientSecretBasic),
                ClientCredentials(id: id, secret: nil, method: .none),
                ClientCredentials(id: "nobody", secret: "x", method: .clientSecretPost),
            ] {
                await #expect(throws: TokenError.invalidClient("client authentication failed")) {
                    _ = try await f.tokens.authenticate(credentials)
                }
            }
        }
    }

    @Test("client_credentials: the registered scope by default, a wider one is invalidScope and writes nothing")
    func clientCredentialsScope() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.serviceClient(scope: "api:read api:write")
            let issued = try ServiceFixture.json(try await f.tokens.clientCredentials(scope: nil, caller: caller, metadata: ServiceFixture.metadata))
            #expect(issued["scope"] as? String == "api:read api:write")
            #expect(issued["refresh_token"] == nil)
            #expect(issued["token_type"] as? String == "Bearer")
            let before = try await f.eventCount()
            await #expect(throws: TokenError.invalidScope("the requested scope exceeds the client's registration")) {
                _ = try await f.tokens.clientCredentials(scope: Scope(["admin"]), caller: caller, metadata: ServiceFixture.metadata)
            }
            #expect(try await f.eventCount() == before)
        }
    }

    @Test("introspection: a public client is refused before the token is looked at; a missing token is invalidRequest")
    func introspectionRefusals() async throws {
        try await ServiceFixture.with { f in
            let public_ = try await f.registration.register(
                ClientMetadata(redirectURIs: [ServiceFixture.redirectURI], tokenEndpointAuthMethod: "none"), by: ServiceFixture.metadata
            )
            await #expect(throws: TokenError.invalidClient("introspection requires client authentication")) {
                _ = try await f.tokens.introspect(nil, by: public_.client)
            }
            let caller = try await f.serviceClient()
            await #expect(throws: TokenError.invalidRequest("token is missing")) {
                _ = try await f.tokens.introspect(nil, by: caller.client)
            }
        }
    }

    @Test("revoking a refresh token revokes its grant: both tokens introspect inactive; another client's revocation changes nothing")
    func revocationByTheHolder() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.codeClient()
            let tokens = try await f.redeemedCode(for: caller)
            let refresh = try #require(tokens["refresh_token"] as? String)
            let access = try #require(tokens["access_token"] as? String)
            #expect(try await f.tokens.introspect(refresh, by: caller.client).active)
            #expect(try await f.tokens.introspect(access, by: caller.client).active)

            let other = try await f.serviceClient()
            let before = try await f.eventCount()
            try await f.tokens.revoke(refresh, by: other.client, metadata: ServiceFixture.metadata)
            #expect(try await f.eventCount() == before)
            #expect(try await f.tokens.introspect(refresh, by: caller.client).active)

            try await f.tokens.revoke(refresh, by: caller.client, metadata: ServiceFixture.metadata)
            #expect(try await f.tokens.introspect(refresh, by: caller.client) == .inactive)
            #expect(try await f.tokens.introspect(access, by: caller.client) == .inactive)
        }
    }
}
