import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

/// RP-Initiated Logout 1.0 at `/logout`: the session ends and every grant it holds is revoked.
@Suite("OIDC: RP-initiated logout")
struct OIDCLogoutTests {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures
    typealias T = TokenFixtures

    @Test("logout with id_token_hint ends the session, revokes its grants (introspection inactive, refresh refused), clears the cookie and redirects with state")
    func logout() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, postLogoutRedirectURIs: [O.postLogoutURI])
            try await F.register(h, id: "other", name: "Other")
            let introspector = try await T.register(h, id: "rs", scope: "introspect")
            var browser = O.Browser()
            let first = try await O.signIn(h, &browser)
            let second = try await O.signIn(h, &browser, client: "other")
            let sid = try O.sid(browser)
            let idToken = try #require(first["id_token"] as? String)
            for tokens in [first, second] {
                #expect(try await T.introspect(h, try #require(tokens["access_token"] as? String), as: introspector)["active"] as? Bool == true)
            }

            let uri = "/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(formEncode(O.postLogoutURI))&state=bye%20now"
            let response = try await browser.get(h, uri)
            #expect(response.status == .found)
            #expect(response.headers[.location] == O.postLogoutURI + "?state=bye%20now")
            #expect(browser.cookies[O.sessionCookie] == nil)
            #expect(try #require(browser.attributes[O.sessionCookie]).contains("Max-Age=0"))

            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started", "session.ended", "session.revoked"])
            for tokens in [first, second] {
                let access = try #require(tokens["access_token"] as? String)
                #expect(try await T.introspect(h, access, as: introspector)["active"] as? Bool == false)
                let grant = try T.grantID(ofAccessToken: access)
                #expect(try await T.grant(h, grant).revocationReason == .logout)
                let refresh = try await T.refresh(h, try #require(tokens["refresh_token"] as? String), as: T.TestClient(id: try #require(try T.jwtParts(access).claims["client_id"] as? String), secret: nil))
                #expect(refresh.status == .badRequest)
                #expect(refresh.oauthErrorCode == "invalid_grant")
            }
            let deny = try await h.ledger.admin.query(
                "SELECT reason FROM denylist WHERE scope = 'session' AND key = \(sid)", logger: h.services.logger
            )
            var reasons: [String] = []
            for try await reason in deny.decode(String.self) { reasons.append(reason) }
            #expect(reasons == ["logout"])

            // The browser has no session any more.
            let (again, _) = try await O.authorize(h, &browser, F.parameters(["prompt": "none"]))
            #expect(try F.location(again).items["error"] == "login_required")

            // The subject's history shows the whole session, its end included.
            let history = try await h.adminClient.executeRequest(
                uri: "/admin/subjects/sub-alice/history", method: .get, headers: [.authorization: "Bearer \(HTTPHarness.adminToken)"], body: nil
            )
            let sessionEvents = (history.json["events"] as? [[String: Any]] ?? [])
                .filter { $0["stream_id"] as? String == "session/\(sid)" }.compactMap { $0["type"] as? String }
            #expect(sessionEvents == ["session.revoked", "session.ended", "session.started"])
        }
    }

    @Test("a post_logout_redirect_uri that is not registered is refused with a page: no redirect, no event, session kept")
    func unregisteredRedirect() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, postLogoutRedirectURIs: [O.postLogoutURI])
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser)
            let idToken = try #require(tokens["id_token"] as? String)
            let before = try await F.eventCount(h)
            for target in ["https://evil.example/bye", O.postLogoutURI + "/", O.postLogoutURI + "?x=1", "https://APP.example/bye"] {
                let response = try await browser.get(h, "/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(formEncode(target))&state=s")
                #expect(response.status == .badRequest, "\(target)")
                #expect(response.headers[.location] == nil)
            }
            // Naming a client other than the hint's audience is refused too.
            try await F.register(h, id: "other", name: "Other", postLogoutRedirectURIs: [O.postLogoutURI])
            let mismatch = try await browser.get(
                h, "/logout?id_token_hint=\(idToken)&client_id=other&post_logout_redirect_uri=\(formEncode(O.postLogoutURI))"
            )
            #expect(mismatch.status == .badRequest)
            #expect(try await F.eventCount(h) == before + 1)  // only the second client's registration
            #expect(browser.cookies[O.sessionCookie] != nil)
            let (still, showedForm) = try await O.authorize(h, &browser, F.parameters(["prompt": "none"]))
            #expect(!showedForm)
            _ = try O.code(still)
        }
    }

    @Test("without id_token_hint the user confirms on a CSRF-protected page; a forged POST ends nothing")
    func confirmation() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, postLogoutRedirectURIs: [O.postLogoutURI])
            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            let sid = try O.sid(browser)

            let page = try await browser.get(h, "/logout?client_id=spa&post_logout_redirect_uri=\(formEncode(O.postLogoutURI))&state=s1")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<form method="post" action="/logout">"#))
            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started"])

            // A cross-site POST: the right fields but no valid CSRF token.
            let forged = try await browser.post(h, "/logout", [("confirm", "yes"), ("csrf", "x"), ("client_id", "spa")])
            #expect(forged.status == .ok)
            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started"])

            let csrf = try #require(F.hiddenInput("csrf", in: page.text))
            let confirmed = try await browser.post(h, "/logout", [
                ("csrf", csrf), ("client_id", "spa"), ("post_logout_redirect_uri", O.postLogoutURI), ("state", "s1"), ("confirm", "yes"),
            ])
            #expect(confirmed.status == .seeOther)
            #expect(confirmed.headers[.location] == O.postLogoutURI + "?state=s1")
            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started", "session.ended", "session.revoked"])
            #expect(browser.cookies[O.sessionCookie] == nil)
        }
    }

    @Test("a hint for another user's session asks first (RP-Initiated Logout §2); confirmed, it ends that session, not the browser's own")
    func hintForAnotherUser() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var alice = O.Browser()
            let aliceTokens = try await O.signIn(h, &alice)
            var bob = O.Browser()
            let (response, _) = try await O.authorize(h, &bob, username: "bob")
            _ = try await O.exchange(h, try O.code(response))
            let (aliceSID, bobSID) = (try O.sid(alice), try O.sid(bob))
            let hint = try #require(aliceTokens["id_token"] as? String)

            let page = try await bob.get(h, "/logout?id_token_hint=\(hint)")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<form method="post" action="/logout">"#))
            #expect(try await O.eventTypes(h, stream: "session/\(aliceSID)") == ["session.started"])

            let csrf = try #require(F.hiddenInput("csrf", in: page.text))
            #expect(F.hiddenInput("id_token_hint", in: page.text) == hint)
            let confirmed = try await bob.post(h, "/logout", [("csrf", csrf), ("id_token_hint", hint), ("confirm", "yes")])
            #expect(confirmed.status == .ok)
            #expect(confirmed.text.contains("Signed out"))
            #expect(bob.cookies[O.sessionCookie] != nil)
            #expect(try await O.eventTypes(h, stream: "session/\(aliceSID)") == ["session.started", "session.ended", "session.revoked"])
            #expect(try await O.eventTypes(h, stream: "session/\(bobSID)") == ["session.started"])
        }
    }

    @Test("an expired hint, even for the browser's own session, asks first")
    func expiredHint() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser)
            let sid = try O.sid(browser)
            clock.advance(.seconds(700))  // ID tokens live 600 s; 15 s of skew
            let page = try await browser.get(h, "/logout?id_token_hint=\(try #require(tokens["id_token"] as? String))")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<form method="post" action="/logout">"#))
            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started"])
        }
    }

    @Test("with a hint and no post_logout_redirect_uri: a signed-out page")
    func signedOutPage() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser)
            let response = try await browser.get(h, "/logout?id_token_hint=\(try #require(tokens["id_token"] as? String))")
            #expect(response.status == .ok)
            #expect(response.text.contains("Signed out"))
            #expect(browser.cookies[O.sessionCookie] == nil)
        }
    }
}
