import Foundation
import LedgerTesting
import Testing

@testable import LedgerBFF

@Suite("BFF login: PKCE, state bound to the browser, iss, a session that holds every token server-side")
struct BFFLoginTests {
    @Test("sign-in through the real login form: /bff/user shows the user's claims and no token; Redis holds only sealed bytes")
    func signIn() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser(returnTo: "/orders?x=1")
            let cookies = browser.cookies(for: f.bffURL)
            #expect(cookies.keys.sorted() == ["bff"])
            let user = try await browser.get(f.bffURL + "/bff/user")
            #expect(user.status == .ok)
            #expect(user.json["sub"] as? String == "sub-alice")
            #expect((user.json["claims"] as? [String: Any])?["name"] as? String == "Alice")
            #expect(!user.body.contains("eyJ"))
            #expect(user.headers.first(name: "Cache-Control") == "no-store")
            // The session in Redis: sealed, no token or claim readable in it.
            let sessionID = try #require(cookies["bff"])
            let loaded = try #require(try await f.bff.store.load(sessionID: sessionID))
            #expect(loaded.session.accessToken.hasPrefix("eyJ"))
            #expect(loaded.session.refreshToken != nil)
            let raw = try await f.redisBytes("HGET", f.sessionKey(loaded.name), "d")
            #expect(!raw.isEmpty)
            #expect(!String(decoding: raw, as: UTF8.self).contains("eyJ"))
            #expect(!String(decoding: raw, as: UTF8.self).contains("Alice"))
            #expect(!String(decoding: raw, as: UTF8.self).contains(loaded.session.refreshToken!))
        }
    }

    @Test("a second login rotates the session id and ends the first session (no fixation)")
    func loginRotatesTheSession() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            let first = try #require(browser.cookies(for: f.bffURL)["bff"])
            try await browser.signIn(bffURL: f.bffURL, returnTo: "/", password: BFFFixture.password)
            let second = try #require(browser.cookies(for: f.bffURL)["bff"])
            #expect(first != second)
            #expect(try await f.bff.store.load(sessionID: first) == nil)
            #expect(try await f.bff.store.load(sessionID: second) != nil)
        }
    }

    @Test("returnTo must be a path on this site", arguments: ["https://evil.example/", "//evil.example/x", "/\\evil.example", "evil", "/a\u{0}b"])
    func returnToOffSiteIsRefused(returnTo: String) async throws {
        try await BFFFixture.with { f in
            let page = try await Browser().get(f.bffURL + "/bff/login?returnTo=" + Browser.encode(returnTo))
            #expect(page.status == .badRequest)
            #expect(page.json["error"] as? String == "invalid_request")
            #expect(page.location == nil)
        }
    }

    @Test("the callback refuses an unknown state, a login finished in another browser, a used state and a wrong iss")
    func callbackChecks() async throws {
        try await BFFFixture.with { f in
            let unknown = try await Browser().get(f.bffURL + "/bff/callback?state=nope&code=x&iss=" + Browser.encode(f.stack.issuerURL))
            #expect(unknown.status == .badRequest)
            #expect(unknown.json["error"] as? String == "invalid_request")

            // Another browser presents a callback URL it did not start: refused, and the login is spent.
            let (starter, callback) = try await Self.callbackURL(f)
            let stranger = try await Browser().get(callback)
            #expect(stranger.status == .badRequest)
            let replay = try await starter.get(callback)
            #expect(replay.status == .badRequest)
            #expect(starter.cookies(for: f.bffURL)["bff"] == nil)

            // The issuer's answer must name the issuer (RFC 9207).
            let (browser, good) = try await Self.callbackURL(f)
            let forged = good.replacingOccurrences(of: "iss=" + Browser.encode(f.stack.issuerURL), with: "iss=" + Browser.encode("https://evil.example"))
            #expect(forged != good)
            let wrongIssuer = try await browser.get(forged)
            #expect(wrongIssuer.status == .badRequest)
            #expect(wrongIssuer.json["error"] as? String == "login_refused")
            #expect(browser.cookies(for: f.bffURL)["bff"] == nil)
        }
    }

    @Test("cookies: HttpOnly, Secure, SameSite=Lax, Path=/ and the __Host- prefix unless the loopback development flag is set")
    func cookieAttributes() {
        let secure = BFFCookies(insecure: false, sessionMaxAge: 3600)
        #expect(secure.setSession("abc") == "__Host-bff=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax; Secure")
        #expect(secure.clearSession == "__Host-bff=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure")
        #expect(secure.setTransaction("t1", binding: "b") == "__Host-bff-tx-t1=b; Max-Age=600; Path=/; HttpOnly; SameSite=Lax; Secure")
        let dev = BFFCookies(insecure: true, sessionMaxAge: 3600)
        #expect(dev.setSession("abc") == "bff=abc; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax")
    }

    /// A browser that signed in at the issuer, and the callback URL the issuer sent it to.
    static func callbackURL(_ f: BFFFixture) async throws -> (Browser, String) {
        let browser = Browser()
        let start = try await browser.get(f.bffURL + "/bff/login")
        let form = try await browser.get(try #require(start.location))
        let submitted = try await browser.post(f.stack.publicURL + "/authorize", form: [
            ("request", try Browser.hidden("request", in: form.body)), ("csrf", try Browser.hidden("csrf", in: form.body)),
            ("username", "alice"), ("password", BFFFixture.password),
        ])
        return (browser, try #require(submitted.location))
    }
}
