import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerService
import Testing

/// RFC 8707 resource indicators: `resource` on `/authorize` and `/token`, the clients' registered
/// resources, the token's `aud`, and this service's own endpoints refusing tokens for another
/// resource or of another type.
@Suite("Resource indicators and audiences (RFC 8707)")
struct ResourceIndicatorTests {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures
    typealias T = TokenFixtures

    static let api = "https://api.example"
    static let billing = "https://billing.example"

    static func audience(of token: String) throws -> [String] {
        let (_, claims) = try T.jwtParts(token)
        if let single = claims["aud"] as? String { return [single] }
        return try #require(claims["aud"] as? [String])
    }

    @Test("client_credentials: a registered resource becomes aud; several become an array; none gives the default audience")
    func clientCredentialsAudience() async throws {
        try await HTTPHarness.with { h in
            let client = try await T.register(h, resources: [Self.api, Self.billing])
            let one = try await T.post(h, "/token", pairs: [("grant_type", "client_credentials"), ("resource", Self.api)], as: client)
            #expect(one.status == .ok, "\(one.text)")
            let oneToken = try #require(one.json["access_token"] as? String)
            #expect(try T.jwtParts(oneToken).claims["aud"] as? String == Self.api)
            let two = try await T.post(
                h, "/token", pairs: [("grant_type", "client_credentials"), ("resource", Self.billing), ("resource", Self.api)], as: client
            )
            #expect(try Self.audience(of: try #require(two.json["access_token"] as? String)) == [Self.api, Self.billing])
            let none = try await T.post(h, "/token", pairs: [("grant_type", "client_credentials")], as: client)
            #expect(try Self.audience(of: try #require(none.json["access_token"] as? String)) == ["https://issuer.test"])
            // The log records the audience of the token and the resources of its grant.
            let state = try await T.grant(h, try T.grantID(ofAccessToken: oneToken))
            #expect(state.resources == Resources([Self.api]))
            // Introspection reports the audience.
            #expect(try await T.introspect(h, oneToken, as: client)["aud"] as? String == Self.api)
        }
    }

    @Test("client_credentials: an unregistered or malformed resource is invalid_target and appends nothing")
    func clientCredentialsRefusals() async throws {
        try await HTTPHarness.with { h in
            let client = try await T.register(h, resources: [Self.api])
            let before = try await T.eventCount(h)
            for resource in ["https://other.example", "not-a-uri", "https://api.example/#x"] {
                let response = try await T.post(h, "/token", pairs: [("grant_type", "client_credentials"), ("resource", resource)], as: client)
                #expect(response.status == .badRequest)
                #expect(response.json["error"] as? String == "invalid_target", "\(resource)")
            }
            let mixed = try await T.post(
                h, "/token", pairs: [("grant_type", "client_credentials"), ("resource", Self.api), ("resource", Self.billing)], as: client
            )
            #expect(mixed.json["error"] as? String == "invalid_target")
            #expect(try await T.eventCount(h) == before)
            // The issuer itself (this service's endpoints) is always allowed.
            let own = try await T.post(h, "/token", pairs: [("grant_type", "client_credentials"), ("resource", "https://issuer.test")], as: client)
            #expect(own.status == .ok)
        }
    }

    @Test("code flow: resource on /authorize is granted; /token narrows within it, refresh too, and a foreign one is invalid_target")
    func codeFlow() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, resources: [Self.api, Self.billing])
            var browser = O.Browser()
            let parameters = F.parameters(["scope": "openid offline_access"]) + [("resource", Self.api), ("resource", Self.billing)]
            let (answer, _) = try await O.authorize(h, &browser, parameters)
            let code = try O.code(answer)
            let spa = T.TestClient(id: "spa", secret: nil)
            let redeemed = try await T.post(
                h, "/token",
                pairs: [
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", F.redirectURI), ("code_verifier", F.verifier),
                    ("resource", Self.api),
                ],
                as: spa
            )
            #expect(redeemed.status == .ok, "\(redeemed.text)")
            #expect(try Self.audience(of: try #require(redeemed.json["access_token"] as? String)) == [Self.api])
            let refreshToken = try #require(redeemed.json["refresh_token"] as? String)

            // The ID token is for the client, whatever the resources.
            let idToken = try #require(redeemed.json["id_token"] as? String)
            #expect(try T.jwtParts(idToken).claims["aud"] as? String == "spa")

            let foreign = try await T.post(
                h, "/token", pairs: [("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("resource", "https://issuer.test")],
                as: spa
            )
            #expect(foreign.status == .badRequest)
            #expect(foreign.json["error"] as? String == "invalid_target")

            let all = try await T.post(h, "/token", pairs: [("grant_type", "refresh_token"), ("refresh_token", refreshToken)], as: spa)
            #expect(all.status == .ok, "\(all.text)")
            #expect(try Self.audience(of: try #require(all.json["access_token"] as? String)) == [Self.api, Self.billing])
        }
    }

    @Test("/authorize: an unregistered or malformed resource is redirected back as invalid_target with state")
    func authorizeRefusal() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, resources: [Self.api])
            for resource in ["https://other.example", "relative/path"] {
                let response = try await F.get(h, F.parameters() + [("resource", resource)])
                #expect(response.status == .found)
                let (base, items) = try F.location(response)
                #expect(base == F.redirectURI)
                #expect(items["error"] == "invalid_target", "\(resource)")
                #expect(items["state"] == F.state)
            }
        }
    }

    @Test("/userinfo and /revocations refuse a token for another resource, and a token of another type, with invalid_token")
    func ownEndpointsCheckAudienceAndType() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, resources: [Self.api])
            var browser = O.Browser()
            let parameters = F.parameters(["scope": "openid"]) + [("resource", Self.api)]
            let (answer, _) = try await O.authorize(h, &browser, parameters)
            let tokens = try await O.exchange(h, try O.code(answer))
            let forAPI = try #require(tokens["access_token"] as? String)
            let userinfo = try await O.userInfo(h, forAPI)
            #expect(userinfo.status == .unauthorized)
            #expect(userinfo.headers[.wwwAuthenticate]?.contains("error=\"invalid_token\"") == true)

            let service = try await T.register(h, scope: "revocations:read", resources: [Self.api])
            let feedToken = try await T.post(
                h, "/token", pairs: [("grant_type", "client_credentials"), ("resource", Self.api)], as: service
            ).json["access_token"] as? String
            let feed = try await h.publicClient.executeRequest(
                uri: "/revocations?after=0", method: .get, headers: [.authorization: "Bearer \(try #require(feedToken))"], body: nil
            )
            #expect(feed.status == .unauthorized)
            let ownToken = try await T.post(h, "/token", pairs: [("grant_type", "client_credentials")], as: service).json["access_token"] as? String
            let ownFeed = try await h.publicClient.executeRequest(
                uri: "/revocations?after=0", method: .get, headers: [.authorization: "Bearer \(try #require(ownToken))"], body: nil
            )
            #expect(ownFeed.status == .ok)

            // The same claims signed by the same key, but typ JWT (not at+jwt): not an access token.
            let claims = try await h.services.keys.verify(try #require(ownToken), as: AccessTokenClaims.self)
            let retyped = try await h.services.keys.sign(claims, type: "JWT")
            let wrongType = try await h.publicClient.executeRequest(
                uri: "/revocations?after=0", method: .get, headers: [.authorization: "Bearer \(retyped)"], body: nil
            )
            #expect(wrongType.status == .unauthorized)
            #expect(try await T.introspect(h, retyped, as: service)["active"] as? Bool == false)
        }
    }

    @Test("registration: resources are validated and echoed")
    func registration() async throws {
        try await HTTPHarness.with { h in
            func register(_ resources: [String]) async throws -> TestResponse {
                let body = try JSONSerialization.data(withJSONObject: [
                    "grant_types": ["client_credentials"], "scope": "api:read", "resources": resources,
                ])
                return try await h.adminClient.executeRequest(
                    uri: "/admin/clients", method: .post,
                    headers: [.authorization: "Bearer \(HTTPHarness.adminToken)", .contentType: "application/json"],
                    body: ByteBuffer(data: body)
                )
            }
            let good = try await register([Self.billing, Self.api])
            #expect(good.status == .created, "\(good.text)")
            #expect(good.json["resources"] as? [String] == [Self.api, Self.billing])
            let bad = try await register(["https://api.example/#fragment"])
            #expect(bad.status == .badRequest)
            #expect(bad.json["error"] as? String == "invalid_client_metadata")
        }
    }
}
