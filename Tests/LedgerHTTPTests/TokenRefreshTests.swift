import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing

@Suite("POST /token refresh_token")
struct TokenRefreshTests {
    /// A client with a freshly redeemed code: its grant and first tokens.
    static func start(
        _ h: HTTPHarness, lifetimes: Lifetimes = .standard
    ) async throws -> (client: TokenFixtures.TestClient, grant: GrantID, access: String, refresh: String) {
        let client = try await TokenFixtures.register(h, lifetimes: lifetimes)
        let issued = try await TokenFixtures.issueCode(h, for: client)
        let response = try await TokenFixtures.redeem(h, issued, by: client)
        try #require(response.status == .ok)
        return (
            client, issued.grant, try #require(response.json["access_token"] as? String),
            try #require(response.json["refresh_token"] as? String)
        )
    }

    @Test("fingerprint_policy: a refresh from another user agent is recorded (grant.fingerprint_changed); reauthenticate refuses it, revoke revokes the grant, record rotates")
    func fingerprintPolicies() async throws {
        for policy in FingerprintPolicy.allCases {
            try await HTTPHarness.with { h in
                let client = try await TokenFixtures.register(h, fingerprintPolicy: policy)
                let issued = try await TokenFixtures.issueCode(h, for: client)
                func post(_ parameters: [(String, String)], agent: String) async throws -> TestResponse {
                    var headers = client.basic
                    headers[.userAgent] = agent
                    return try await h.publicClient.postForm("/token", parameters, headers: headers)
                }
                let redeemed = try await post(
                    [("grant_type", "authorization_code"), ("code", issued.code), ("redirect_uri", TokenFixtures.redirectURI),
                     ("code_verifier", issued.verifier)], agent: "holder/1.0"
                )
                let refresh = try #require(redeemed.json["refresh_token"] as? String)
                let elsewhere = try await post([("grant_type", "refresh_token"), ("refresh_token", refresh)], agent: "elsewhere/2.0")
                let types = try await OIDCFixtures.eventTypes(h, stream: "grant/\(issued.grant)")
                #expect(types.contains("grant.fingerprint_changed"), "\(policy)")
                switch policy {
                case .record:
                    #expect(elsewhere.status == .ok)
                case .revoke:
                    #expect(elsewhere.status == .badRequest)
                    #expect(elsewhere.oauthErrorCode == "invalid_grant")
                    #expect(types.last == "grant.revoked")
                case .reauthenticate:
                    #expect(elsewhere.status == .badRequest)
                    #expect(elsewhere.oauthErrorCode == "invalid_grant")
                    #expect(!types.contains("grant.revoked"))
                    let holder = try await post([("grant_type", "refresh_token"), ("refresh_token", refresh)], agent: "holder/1.0")
                    #expect(holder.status == .ok, "the holder's own refresh still works")
                }
            }
        }
    }

    @Test("each use rotates: a new refresh token and access token; the old one no longer introspects active")
    func rotation() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, _, first) = try await Self.start(h)
            let response = try await TokenFixtures.refresh(h, first, as: client)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let second = try #require(response.json["refresh_token"] as? String)
            #expect(second != first)
            let access = try #require(response.json["access_token"] as? String)
            #expect(try TokenFixtures.grantID(ofAccessToken: access) == grant)
            #expect(try await TokenFixtures.grant(h, grant).refresh?.generation == 2)
            #expect(try await TokenFixtures.introspect(h, second, as: client)["active"] as? Bool == true)
            #expect(try await TokenFixtures.introspect(h, first, as: client)["active"] as? Bool == false)
        }
    }

    @Test("down-scoping narrows the access token only; asking for more is invalid_scope")
    func scope() async throws {
        try await HTTPHarness.with { h in
            let (client, _, _, first) = try await Self.start(h)
            let narrowed = try await TokenFixtures.refresh(h, first, as: client, scope: "api:read")
            #expect(narrowed.status == .ok)
            #expect(narrowed.json["scope"] as? String == "api:read")
            let (_, claims) = try TokenFixtures.jwtParts(try #require(narrowed.json["access_token"] as? String))
            #expect(claims["scope"] as? String == "api:read")
            let second = try #require(narrowed.json["refresh_token"] as? String)
            let widened = try await TokenFixtures.refresh(h, second, as: client, scope: "api:read api:write")
            #expect(widened.status == .badRequest)
            #expect(widened.oauthErrorCode == "invalid_scope")
            let full = try await TokenFixtures.refresh(h, second, as: client)
            #expect(full.json["scope"] as? String == "api:read offline_access openid")
        }
    }

    @Test("50 parallel uses of one token: exactly one 200, the rest invalid_grant, and the grant revoked (I3)")
    func parallelUses() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, _, token) = try await Self.start(h)
            let outcomes = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await TokenFixtures.refresh(h, token, as: client)
                        return (response.status.code, response.oauthErrorCode)
                    }
                }
                var all: [(Int, String?)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter { $0.0 == 200 }.count == 1)
            #expect(outcomes.filter { $0.0 == 400 && $0.1 == "invalid_grant" }.count == 49)
            let state = try await TokenFixtures.grant(h, grant)
            #expect(state.status == .revoked)
            #expect(state.revocationReason == .reuseDetected)
        }
    }

    @Test("an older generation presented again revokes the family, newest token included")
    func reuseRevokesNewest() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, access, first) = try await Self.start(h)
            let second = try #require(try await TokenFixtures.refresh(h, first, as: client).json["refresh_token"] as? String)
            let third = try #require(try await TokenFixtures.refresh(h, second, as: client).json["refresh_token"] as? String)
            let reuse = try await TokenFixtures.refresh(h, first, as: client)
            #expect(reuse.status == .badRequest)
            #expect(reuse.oauthErrorCode == "invalid_grant")
            #expect(try await TokenFixtures.grant(h, grant).status == .revoked)
            let newest = try await TokenFixtures.refresh(h, third, as: client)
            #expect(newest.status == .badRequest)
            #expect(newest.oauthErrorCode == "invalid_grant")
            #expect(try await TokenFixtures.introspect(h, third, as: client)["active"] as? Bool == false)
            #expect(try await TokenFixtures.introspect(h, access, as: client)["active"] as? Bool == false)
        }
    }

    @Test("inside the grace window a duplicate gets the byte-identical answer; after it, it is reuse")
    func graceWindow() async throws {
        let clock = TokenFixtures.Clock()
        try await HTTPHarness.with(now: clock.now) { h in
            let (client, grant, _, first) = try await Self.start(h, lifetimes: Lifetimes(refreshGrace: .seconds(5)))
            let original = try await TokenFixtures.refresh(h, first, as: client)
            #expect(original.status == .ok)
            clock.advance(.seconds(2))
            let duplicate = try await TokenFixtures.refresh(h, first, as: client)
            #expect(duplicate.status == .ok)
            #expect(duplicate.rawBody == original.rawBody)
            #expect(duplicate.headers[.cacheControl] == "no-store")
            #expect(try await TokenFixtures.grant(h, grant).status == .active)
            #expect(try await TokenFixtures.grant(h, grant).refresh?.generation == 2)

            clock.advance(.seconds(4))
            let late = try await TokenFixtures.refresh(h, first, as: client)
            #expect(late.status == .badRequest)
            #expect(late.oauthErrorCode == "invalid_grant")
            #expect(try await TokenFixtures.grant(h, grant).status == .revoked)
        }
    }

    @Test("a refresh token presented by another client is invalid_grant and revokes the grant (docs/design.md)")
    func otherClient() async throws {
        try await HTTPHarness.with { h in
            let (_, grant, _, token) = try await Self.start(h)
            let thief = try await TokenFixtures.register(h)
            let response = try await TokenFixtures.refresh(h, token, as: thief)
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_grant")
            let state = try await TokenFixtures.grant(h, grant)
            #expect(state.status == .revoked)
            #expect(state.revocationReason == .clientMismatch)
        }
    }

    @Test("an unknown refresh token is invalid_grant; idle expiry is invalid_grant")
    func unknownAndExpired() async throws {
        let clock = TokenFixtures.Clock()
        try await HTTPHarness.with(now: clock.now) { h in
            let (client, _, _, token) = try await Self.start(h, lifetimes: Lifetimes(refreshTokenIdle: .seconds(60)))
            #expect(try await TokenFixtures.refresh(h, "nope", as: client).oauthErrorCode == "invalid_grant")
            clock.advance(.seconds(61))
            #expect(try await TokenFixtures.introspect(h, token, as: client)["active"] as? Bool == false)
            let expired = try await TokenFixtures.refresh(h, token, as: client)
            #expect(expired.status == .badRequest)
            #expect(expired.oauthErrorCode == "invalid_grant")
        }
    }
}
