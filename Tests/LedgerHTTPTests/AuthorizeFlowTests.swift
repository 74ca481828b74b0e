import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
@testable import LedgerHTTP
import LedgerPostgres
import Testing
import LedgerService

/// `GET /authorize` → login page → `POST /authorize` → code, driven as a browser would.
@Suite("Authorize: the code flow through the login page")
struct AuthorizeFlowTests {
    typealias F = AuthorizeFixtures

    @Test("a user signs in: 303 with a fresh code, state unchanged and iss; the grant records nonce and challenge")
    func signIn() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let page = try await F.get(h, F.parameters())
            #expect(page.status == .ok)
            #expect(page.headers[.location] == nil)
            let html = page.text
            #expect(html.contains(#"<form method="post" action="/authorize">"#))
            #expect(html.contains(#"name="username""#))
            #expect(html.contains(#"type="password" name="password""#))
            let cookie = try #require(page.headers[.setCookie])
            #expect(cookie.hasPrefix("__Host-tokenledger_login="))
            #expect(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Secure") && cookie.contains("; Path=/"))

            let form = try await F.openLogin(h)
            let response = try await F.submit(h, form)
            #expect(response.status == .seeOther)
            #expect(response.headers[.cacheControl] == "no-store")
            let (base, items) = try F.location(response)
            #expect(base == F.redirectURI)
            #expect(Set(items.keys) == ["code", "state", "iss"])
            #expect(items["state"] == F.state)
            #expect(items["iss"] == "https://issuer.test")
            let code = try #require(items["code"])
            #expect(code.count == 43)

            let grantID = try #require(try await h.services.grants.authorizationCode(SecretDigest.hash(code)))
            let grant = try #require(try await h.services.grants.load(grantID)?.grant)
            #expect(grant.clientID == ClientID("spa"))
            #expect(grant.subject == Subject("sub-alice"))
            #expect(grant.scope == Scope(["openid", "profile"]))
            #expect(grant.status == .awaitingCode)
            #expect(grant.code?.nonce == F.nonce)
            #expect(grant.code?.codeChallenge == F.challenge)
            #expect(grant.code?.redirectURI == F.redirectURI)
            #expect(grant.code?.authTime != nil)
            let expiresAt = try #require(grant.code?.expiresAt)
            #expect(expiresAt.milliseconds - grant.startedAt.milliseconds <= 60_000)
            #expect(try await F.grantEventCount(h) == 2)
        }
    }

    @Test("the code is appended to a redirect URI's registered query, which is kept")
    func redirectWithQuery() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let form = try await F.openLogin(h, F.parameters(["redirect_uri": F.redirectWithQuery, "state": nil]))
            let response = try await F.submit(h, form)
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(F.redirectWithQuery + "&code="))
            let (_, items) = try F.location(response)
            #expect(Set(items.keys) == ["tenant", "code", "iss"])
            #expect(items["tenant"] == "a")
        }
    }

    @Test("two logins give two distinct codes and grants; the username is matched exactly")
    func twoLogins() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let first = try F.location(try await F.submit(h, try await F.openLogin(h))).items["code"]
            let second = try F.location(try await F.submit(h, try await F.openLogin(h), username: "bob")).items["code"]
            #expect(first != nil && second != nil && first != second)
            #expect(try await F.grantEventCount(h) == 4)
            let wrongCase = try await F.submit(h, try await F.openLogin(h), username: "Alice")
            #expect(wrongCase.status == .ok)
            #expect(try await F.grantEventCount(h) == 4)
        }
    }

    @Test("a confidential client needs PKCE S256 too, and gets a code with it")
    func confidentialClientPKCE() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, id: "web", method: "client_secret_basic")
            let missing = try await F.get(h, F.parameters(["client_id": "web", "code_challenge": nil, "code_challenge_method": nil]))
            #expect(missing.status == .found)
            #expect(try F.location(missing).items["error"] == "invalid_request")
            let form = try await F.openLogin(h, F.parameters(["client_id": "web"]))
            #expect(try await F.submit(h, form).status == .seeOther)
        }
    }

    @Test("form-action names the origin of http(s) redirect URIs, and a native app's private-use scheme", arguments: [
        ("https://app.example/cb?x=1", "https://app.example"), ("http://127.0.0.1:8090/bff/callback", "http://127.0.0.1:8090"),
        ("https://[::1]:8443/cb", "https://[::1]:8443"), ("com.example.app:/cb", "com.example.app:"), ("https://a b/cb", nil),
        ("javascript:alert(1)", nil),
    ] as [(String, String?)])
    func formActionOrigin(uri: String, origin: String?) {
        #expect(HTMLPage.origin(uri) == origin)
    }

    @Test("a native app's loopback redirect may name any port (RFC 8252 §7.3); its form may redirect to its private-use scheme")
    func nativeAppRedirects() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            let body = try await AdminFixtures.register(h, #"""
                {"redirect_uris":["http://127.0.0.1/callback","com.example.app:/oauth2redirect"],"token_endpoint_auth_method":"none",
                 "grant_types":["authorization_code"],"scope":"openid"}
                """#)
            let id = try #require(body["client_id"] as? String)
            let loopback = try await F.get(h, F.parameters(["client_id": id, "redirect_uri": "http://127.0.0.1:51234/callback", "scope": "openid"]))
            #expect(loopback.status == .ok)
            #expect(loopback.headers[.contentSecurityPolicy]?.contains("form-action 'self' http://127.0.0.1:51234") == true)
            let scheme = try await F.get(h, F.parameters(["client_id": id, "redirect_uri": "com.example.app:/oauth2redirect", "scope": "openid"]))
            #expect(scheme.status == .ok)
            #expect(scheme.headers[.contentSecurityPolicy]?.contains("form-action 'self' com.example.app:") == true)
            AuthorizeRefusalTests.expectPage(
                try await F.get(h, F.parameters(["client_id": id, "redirect_uri": "http://127.0.0.1:51234/elsewhere", "scope": "openid"]))
            )
            AuthorizeRefusalTests.expectPage(
                try await F.get(h, F.parameters(["client_id": id, "redirect_uri": "http://localhost:51234/callback", "scope": "openid"]))
            )
        }
    }

    @Test("the login page escapes what it echoes and is never cached or framed")
    func pageHeaders() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let page = try await F.get(h, F.parameters())
            #expect(page.text.contains("Demo &lt;App&gt; &amp; &quot;Co&quot;"))
            #expect(!page.text.contains("Demo <App>"))
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.cacheControl] == "no-store")
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            // Browsers apply form-action to the redirect that answers the form: the client's origin is allowed too.
            #expect(page.headers[.contentSecurityPolicy] == "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' https://app.example")
            // The sealed request reveals nothing of the request it carries.
            let form = try await F.openLogin(h)
            // (Long markers only: short ones like "cb" turn up in random ciphertext by chance.)
            #expect(!form.request.contains("app.example") && !form.request.contains(F.challenge) && !form.request.contains("openid"))

            let wrong = try await F.submit(h, form, username: "<script>alert(1)</script>", password: "nope")
            #expect(wrong.status == .ok)
            #expect(wrong.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!wrong.text.contains("<script>"))
        }
    }
}
