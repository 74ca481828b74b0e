import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing

@Suite("POST /token authorization_code")
struct TokenAuthorizationCodeTests {
    @Test("a public client redeems its code with PKCE: access token with grant_id and sid, and a refresh token")
    func happyPath() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, method: "none", grantTypes: ["authorization_code", "refresh_token"])
            let issued = try await TokenFixtures.issueCode(h, for: client, session: "sid-42")
            let response = try await TokenFixtures.redeem(h, issued, by: client)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let json = response.json
            #expect(json["token_type"] as? String == "Bearer")
            #expect(json["scope"] as? String == "api:read offline_access openid")
            #expect((json["refresh_token"] as? String)?.count == 43)
            let (_, claims) = try TokenFixtures.jwtParts(try #require(json["access_token"] as? String))
            #expect(claims["grant_id"] as? String == issued.grant.rawValue)
            #expect(claims["sid"] as? String == "sid-42")
            #expect(claims["sub"] as? String == "alice")
            #expect(claims["client_id"] as? String == client.id)
            #expect(try await TokenFixtures.grant(h, issued.grant).status == .active)
        }
    }

    @Test("a client not allowed refresh_token gets no refresh token")
    func noRefreshWithoutGrantType() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, grantTypes: ["authorization_code"])
            let issued = try await TokenFixtures.issueCode(h, for: client)
            let response = try await TokenFixtures.redeem(h, issued, by: client)
            #expect(response.status == .ok)
            #expect(response.json["refresh_token"] == nil)
        }
    }

    @Test(
        "every I7 refusal is 400 invalid_grant and leaves the code redeemable",
        arguments: [
            ("no verifier", ["code_verifier": ""]),
            ("wrong verifier", ["code_verifier": String(repeating: "a", count: 43)]),
            ("malformed verifier", ["code_verifier": "short"]),
            ("redirect_uri with a suffix", ["redirect_uri": TokenFixtures.redirectURI + "/x"]),
            ("other redirect_uri", ["redirect_uri": "https://evil.example/cb"]),
            ("no redirect_uri", ["redirect_uri": ""]),
            ("unknown code", ["code": "not-a-code"]),
        ]
    )
    func refusals(_ label: String, _ overrides: [String: String]) async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h)
            let issued = try await TokenFixtures.issueCode(h, for: client)
            let refused = try await TokenFixtures.redeem(h, issued, by: client, overrides: overrides)
            #expect(refused.status == .badRequest, "\(label)")
            #expect(refused.oauthErrorCode == "invalid_grant", "\(label)")
            #expect(refused.headers[.cacheControl] == "no-store")
            #expect(try await TokenFixtures.redeem(h, issued, by: client).status == .ok, "\(label)")
        }
    }

    @Test("a code presented by another client is invalid_grant")
    func otherClient() async throws {
        try await HTTPHarness.with { h in
            let owner = try await TokenFixtures.register(h)
            let thief = try await TokenFixtures.register(h)
            let issued = try await TokenFixtures.issueCode(h, for: owner)
            let response = try await TokenFixtures.redeem(h, issued, by: thief)
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_grant")
        }
    }

    @Test("a code past its 60 s is invalid_grant")
    func expiredCode() async throws {
        let clock = TokenFixtures.Clock()
        try await HTTPHarness.with(now: clock.now) { h in
            let client = try await TokenFixtures.register(h)
            let issued = try await TokenFixtures.issueCode(h, for: client)
            clock.advance(.seconds(61))
            let response = try await TokenFixtures.redeem(h, issued, by: client)
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_grant")
        }
    }

    @Test("a replayed code is invalid_grant and revokes what the first redemption produced")
    func replay() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h)
            let issued = try await TokenFixtures.issueCode(h, for: client)
            let first = try await TokenFixtures.redeem(h, issued, by: client)
            #expect(first.status == .ok)
            let access = try #require(first.json["access_token"] as? String)
            let refresh = try #require(first.json["refresh_token"] as? String)
            #expect(try await TokenFixtures.introspect(h, access, as: client)["active"] as? Bool == true)
            #expect(try await TokenFixtures.introspect(h, refresh, as: client)["active"] as? Bool == true)

            let replay = try await TokenFixtures.redeem(h, issued, by: client)
            #expect(replay.status == .badRequest)
            #expect(replay.oauthErrorCode == "invalid_grant")
            let grant = try await TokenFixtures.grant(h, issued.grant)
            #expect(grant.status == .revoked)
            #expect(grant.revocationReason == .codeReplay)
            for token in [access, refresh] {
                let answer = try await TokenFixtures.introspect(h, token, as: client)
                #expect(answer.count == 1)
                #expect(answer["active"] as? Bool == false)
            }
            #expect(try await TokenFixtures.refresh(h, refresh, as: client).oauthErrorCode == "invalid_grant")
        }
    }
}
