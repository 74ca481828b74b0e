import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing
import LedgerService

/// `GET|POST /userinfo` (OIDC Core §5.3) with RFC 6750 errors.
@Suite("OIDC: userinfo")
struct OIDCUserInfoTests {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures

    static let users: UserDirectory = {
        let hash = PasswordHash.make(F.password, cost: 4)
        return try! UserDirectory([
            LoginUser(
                username: "alice", subject: Subject("sub-alice"), passwordHash: hash,
                claims: [
                    "name": .string("Alice Liddell"), "email": .string("alice@example.com"), "email_verified": .bool(true),
                    "locale": .string("en-GB"), "phone_number": .string("+44 20 0000 0000"),
                ]
            )
        ])
    }()

    @Test("claims by scope: openid gives sub only, profile adds name and locale, email adds email and email_verified", arguments: [
        ("openid", ["sub"]),
        ("openid profile", ["sub", "name", "locale"]),
        ("openid email", ["sub", "email", "email_verified"]),
        ("openid profile email", ["sub", "name", "locale", "email", "email_verified"]),
    ])
    func claimsByScope(scope: String, expected: [String]) async throws {
        try await HTTPHarness.with(users: Self.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser, scope: scope)
            let token = try #require(tokens["access_token"] as? String)
            let response = try await O.userInfo(h, token)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let json = response.json
            #expect(Set(json.keys) == Set(expected))
            #expect(json["sub"] as? String == "sub-alice")
            if expected.contains("name") { #expect(json["name"] as? String == "Alice Liddell") }
            if expected.contains("email_verified") { #expect(json["email_verified"] as? Bool == true) }

            // POST answers the same.
            let post = try await h.publicClient.executeRequest(
                uri: "/userinfo", method: .post, headers: [.authorization: "Bearer \(token)"], body: nil
            )
            #expect(post.status == .ok)
            #expect(Set(post.json.keys) == Set(expected))

            // RFC 6750 §2.2: the token in a form body; never two ways at once.
            let form = try await h.publicClient.postForm("/userinfo", [("access_token", token)])
            #expect(form.status == .ok)
            #expect(Set(form.json.keys) == Set(expected))
            let both = try await h.publicClient.postForm("/userinfo", [("access_token", token)], headers: [.authorization: "Bearer \(token)"])
            #expect(both.status == .badRequest)
            #expect(both.json["error"] as? String == "invalid_request")
            #expect(both.headers[.wwwAuthenticate] == "Bearer realm=\"tokenledger\", error=\"invalid_request\"")
        }
    }

    @Test("RFC 6750 errors: no token 401 with a Bearer challenge; a bad token 401 invalid_token; no openid 403 insufficient_scope")
    func errors() async throws {
        try await HTTPHarness.with(users: Self.users) { h in
            try await F.register(h)
            let missing = try await h.publicClient.executeRequest(uri: "/userinfo", method: .get, headers: [:], body: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == #"Bearer realm="tokenledger""#)

            let garbage = try await O.userInfo(h, "not.a.token")
            #expect(garbage.status == .unauthorized)
            #expect(garbage.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)

            let basic = try await h.publicClient.executeRequest(
                uri: "/userinfo", method: .get, headers: [.authorization: "Basic YTpi"], body: nil
            )
            #expect(basic.status == .unauthorized)
            #expect(basic.headers[.wwwAuthenticate] == #"Bearer realm="tokenledger""#)

            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser, scope: "profile")
            let insufficient = try await O.userInfo(h, try #require(tokens["access_token"] as? String))
            #expect(insufficient.status == .forbidden)
            #expect(insufficient.headers[.wwwAuthenticate]?.contains(#"error="insufficient_scope""#) == true)
        }
    }

    @Test("a token of a logged-out session, or an expired one, is invalid_token")
    func revokedOrExpired() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: Self.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser)
            let token = try #require(tokens["access_token"] as? String)
            #expect(try await O.userInfo(h, token).status == .ok)
            clock.advance(.seconds(601))
            #expect(try await O.userInfo(h, token).status == .unauthorized)

            var other = O.Browser()
            let fresh = try await O.signIn(h, &other)
            let freshToken = try #require(fresh["access_token"] as? String)
            #expect(try await O.userInfo(h, freshToken).status == .ok)
            _ = try await other.get(h, "/logout?id_token_hint=\(try #require(fresh["id_token"] as? String))")
            let after = try await O.userInfo(h, freshToken)
            #expect(after.status == .unauthorized)
            #expect(after.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
        }
    }
}
