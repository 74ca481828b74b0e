import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerService
import LedgerHTTP
import LedgerPostgres
import Testing

@Suite("POST /token client_credentials")
struct TokenClientCredentialsTests {
    @Test("issues an RFC 9068 access token: typ at+jwt, ES256, active kid, every claim, no refresh token")
    func happyPath() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, id: "svc-a")
            let response = try await TokenFixtures.post(
                h, "/token", ["grant_type": "client_credentials", "scope": "api:read"], as: client
            )
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[HTTPField.Name("Pragma")!] == "no-cache")
            let json = response.json
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["expires_in"] as? Int == 600)
            #expect(json["scope"] as? String == "api:read")
            #expect(json["refresh_token"] == nil)
            let token = try #require(json["access_token"] as? String)
            let (header, claims) = try TokenFixtures.jwtParts(token)
            #expect(header["typ"] as? String == "at+jwt")
            #expect(header["alg"] as? String == "ES256")
            #expect(header["kid"] as? String == (await h.services.keys.signingKeyID)?.rawValue)
            #expect(claims["iss"] as? String == "https://issuer.test")
            #expect(claims["aud"] as? String == h.services.defaultAudience)
            #expect(claims["sub"] as? String == "svc-a")
            #expect(claims["client_id"] as? String == "svc-a")
            #expect(claims["scope"] as? String == "api:read")
            #expect(claims["sid"] == nil)
            let iat = try #require(claims["iat"] as? Int)
            let exp = try #require(claims["exp"] as? Int)
            #expect(exp - iat == 600)
            let grant = try TokenFixtures.grantID(ofAccessToken: token)
            let state = try await TokenFixtures.grant(h, grant)
            #expect(state.flow == .clientCredentials)
            #expect(state.clientID == ClientID("svc-a"))
            #expect((claims["jti"] as? String)?.isEmpty == false)
            let verified = try await h.services.keys.verify(token, as: AccessTokenClaims.self)
            #expect(verified.grantID == grant.rawValue)
            // Signed through the canonical encoder: keys sorted, no whitespace.
            let (headerJSON, claimsJSON) = try TokenFixtures.jwtJSON(token)
            #expect(CanonicalJSON.isCanonical([UInt8](headerJSON)))
            #expect(CanonicalJSON.isCanonical([UInt8](claimsJSON)))
        }
    }

    @Test("each request starts a new grant; without a scope parameter the registered scope is granted")
    func newGrantPerRequest() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, scope: "api:read api:write")
            var grants: Set<GrantID> = []
            for _ in 0..<2 {
                let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
                #expect(response.status == .ok)
                #expect(response.json["scope"] as? String == "api:read api:write")
                grants.insert(try TokenFixtures.grantID(ofAccessToken: try #require(response.json["access_token"] as? String)))
            }
            #expect(grants.count == 2)
        }
    }

    @Test("a scope beyond the registration is invalid_scope and changes nothing")
    func scopeBeyondRegistration() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, scope: "api:read")
            let before = try await TokenFixtures.eventCount(h)
            let response = try await TokenFixtures.post(
                h, "/token", ["grant_type": "client_credentials", "scope": "api:read api:write"], as: client
            )
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_scope")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(try await TokenFixtures.eventCount(h) == before)
        }
    }

    @Test("a public client may not use client_credentials")
    func publicClientRefused() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, method: "none", grantTypes: TokenFixtures.confidentialGrants)
            let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "unauthorized_client")
        }
    }
}
