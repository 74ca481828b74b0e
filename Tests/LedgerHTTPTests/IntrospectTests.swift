import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing

@Suite("POST /introspect")
struct IntrospectTests {
    @Test("an active access token: every RFC 7662 member")
    func activeAccessToken() async throws {
        try await HTTPHarness.with { h in
            let (client, _, access, _) = try await TokenRefreshTests.start(h)
            let answer = try await TokenFixtures.introspect(h, access, as: client)
            let (_, claims) = try TokenFixtures.jwtParts(access)
            #expect(answer["active"] as? Bool == true)
            #expect(answer["token_type"] as? String == "Bearer")
            #expect(answer["scope"] as? String == "api:read offline_access openid")
            #expect(answer["client_id"] as? String == client.id)
            #expect(answer["sub"] as? String == "alice")
            #expect(answer["iss"] as? String == "https://issuer.test")
            #expect(answer["aud"] as? String == h.services.defaultAudience)
            #expect(answer["jti"] as? String == claims["jti"] as? String)
            #expect(answer["exp"] as? Int == claims["exp"] as? Int)
            #expect(answer["iat"] as? Int == claims["iat"] as? Int)
        }
    }

    @Test("an active refresh token: token_type refresh_token, its client, subject, scope and expiry")
    func activeRefreshToken() async throws {
        try await HTTPHarness.with { h in
            let (client, _, _, refresh) = try await TokenRefreshTests.start(h)
            let answer = try await TokenFixtures.introspect(h, refresh, as: client)
            #expect(answer["active"] as? Bool == true)
            #expect(answer["token_type"] as? String == "refresh_token")
            #expect(answer["client_id"] as? String == client.id)
            #expect(answer["sub"] as? String == "alice")
            #expect(answer["scope"] as? String == "api:read offline_access openid")
            let iat = try #require(answer["iat"] as? Int)
            let exp = try #require(answer["exp"] as? Int)
            #expect(exp - iat == 14 * 24 * 3600)
        }
    }

    @Test("an expired access token is exactly {\"active\":false}")
    func expiredAccessToken() async throws {
        let clock = TokenFixtures.Clock()
        try await HTTPHarness.with(now: clock.now) { h in
            let (client, _, access, _) = try await TokenRefreshTests.start(h)
            clock.advance(.seconds(601))
            let response = try await TokenFixtures.post(h, "/introspect", ["token": access], as: client)
            #expect(response.status == .ok)
            #expect(response.rawBody == Data(#"{"active":false}"#.utf8))
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    @Test("public clients and unauthenticated callers are 401 invalid_client")
    func confidentialOnly() async throws {
        try await HTTPHarness.with { h in
            let (_, _, access, _) = try await TokenRefreshTests.start(h)
            let spa = try await TokenFixtures.register(h, method: "none", grantTypes: ["authorization_code", "refresh_token"])
            let publicClient = try await TokenFixtures.post(h, "/introspect", ["token": access], as: spa)
            #expect(publicClient.status == .unauthorized)
            #expect(publicClient.oauthErrorCode == "invalid_client")
            let anonymous = try await h.publicClient.postForm("/introspect", [("token", access)])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.oauthErrorCode == "invalid_client")
        }
    }

    @Test("another client's access token only for a client with the introspect scope; another client's refresh token never; unknown tokens are inactive")
    func otherClientsTokens() async throws {
        try await HTTPHarness.with { h in
            let (owner, _, access, refresh) = try await TokenRefreshTests.start(h)
            let resourceServer = try await TokenFixtures.register(h, grantTypes: ["client_credentials"], scope: "introspect")
            let stranger = try await TokenFixtures.register(h, grantTypes: ["client_credentials"], scope: "api:read")
            #expect(try await TokenFixtures.introspect(h, access, as: resourceServer)["active"] as? Bool == true)
            #expect(try await TokenFixtures.introspect(h, access, as: stranger) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.introspect(h, refresh, as: resourceServer) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.introspect(h, refresh, as: stranger) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.introspect(h, "garbage", as: resourceServer) as NSDictionary == ["active": false])
            // The owner still sees both.
            #expect(try await TokenFixtures.introspect(h, access, as: owner)["active"] as? Bool == true)
            #expect(try await TokenFixtures.introspect(h, refresh, as: owner)["active"] as? Bool == true)
        }
    }
}
