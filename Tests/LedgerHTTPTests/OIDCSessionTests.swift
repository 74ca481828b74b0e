import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

/// OP sessions (OIDC Core §3.1.2.1): single sign-on across clients, `prompt` and `max_age`.
@Suite("OIDC: sessions, single sign-on, prompt and max_age")
struct OIDCSessionTests {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures

    @Test("a second client in the same browser gets its code without the form, in the same session and auth_time")
    func singleSignOn() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            try await F.register(h, id: "other", name: "Other")
            var browser = O.Browser()
            let first = try await O.signIn(h, &browser)
            let firstClaims = try await O.verifiedIDToken(h, try #require(first["id_token"] as? String))
            let events = try await F.eventCount(h)

            clock.advance(.seconds(90))
            let (response, showedForm) = try await O.authorize(
                h, &browser, F.parameters(["client_id": "other", "nonce": "second-nonce", "state": "s2"])
            )
            #expect(!showedForm)
            #expect(response.status == .found || response.status == .seeOther)
            #expect(response.headers[values: .setCookie].allSatisfy { !$0.hasPrefix(O.sessionCookie) })
            let tokens = try await O.exchange(h, try O.code(response, state: "s2"), client: "other")
            let claims = try await O.verifiedIDToken(h, try #require(tokens["id_token"] as? String))
            #expect(claims.aud == "other")
            #expect(claims.nonce == "second-nonce")
            #expect(claims.sid == firstClaims.sid)
            #expect(claims.authTime == firstClaims.authTime)
            #expect(claims.iat == (firstClaims.authTime ?? 0) + 90)
            // No new session: only the second grant's events were appended.
            let sid = try O.sid(browser)
            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started"])
            #expect(try await F.eventCount(h) > events)
            #expect(try await h.services.sessions.active(ofSubject: Subject("sub-alice")).map(\.sessionID.rawValue) == [sid])
        }
    }

    @Test("prompt=none: login_required with state when there is no session; a code without the form when there is one")
    func promptNone() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var fresh = O.Browser()
            let before = try await F.eventCount(h)
            let (refused, showed) = try await O.authorize(h, &fresh, F.parameters(["prompt": "none"]))
            #expect(!showed)
            #expect(refused.status == .found)
            let (base, items) = try F.location(refused)
            #expect(base == F.redirectURI)
            #expect(items["error"] == "login_required")
            #expect(items["state"] == F.state)
            #expect(items["code"] == nil)
            #expect(try await F.eventCount(h) == before)

            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            let (silent, showedForm) = try await O.authorize(h, &browser, F.parameters(["prompt": "none"]))
            #expect(!showedForm)
            _ = try await O.exchange(h, try O.code(silent))
        }
    }

    @Test("prompt=login shows the form despite a session; signing in again starts a new session")
    func promptLogin() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            let firstSID = try O.sid(browser)
            let (response, showedForm) = try await O.authorize(h, &browser, F.parameters(["prompt": "login"]))
            #expect(showedForm)
            _ = try O.code(response)
            #expect(try O.sid(browser) != firstSID)
        }
    }

    @Test("max_age: a login older than max_age needs the form (login_required with prompt=none); a fresh one does not")
    func maxAge() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            clock.advance(.seconds(120))

            let (fresh, formForFresh) = try await O.authorize(h, &browser, F.parameters(["max_age": "300"]))
            #expect(!formForFresh)
            _ = try O.code(fresh)

            let (stale, staleNone) = try await O.authorize(h, &browser, F.parameters(["max_age": "60", "prompt": "none"]))
            #expect(!staleNone)
            #expect(try F.location(stale).items["error"] == "login_required")

            let (relogin, showedForm) = try await O.authorize(h, &browser, F.parameters(["max_age": "60"]))
            #expect(showedForm)
            let tokens = try await O.exchange(h, try O.code(relogin))
            let claims = try await O.verifiedIDToken(h, try #require(tokens["id_token"] as? String))
            #expect(claims.authTime == h.services.now().seconds)
        }
    }

    @Test("a session idle for 8 h, or 7 days after its login, signs nobody in: it ends with the reason and the form is needed; sign-ins through it keep it alive; the cookie lives 7 days")
    func sessionLifetimes() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            let cookie = try #require(browser.attributes[O.sessionCookie])
            #expect(cookie.contains("; Max-Age=604800"))
            let idle = try O.sid(browser)

            // Single sign-on every 7 hours keeps the session alive past 8 hours from the login.
            for _ in 0..<2 {
                clock.advance(.seconds(7 * 3600))
                let (response, showedForm) = try await O.authorize(h, &browser)
                #expect(!showedForm)
                _ = try O.code(response)
            }
            clock.advance(.seconds(8 * 3600))
            let (_, afterIdle) = try await O.authorize(h, &browser, F.parameters(["prompt": "none"]))
            #expect(!afterIdle)
            #expect(try await O.eventTypes(h, stream: "session/\(idle)") == ["session.started", "session.ended", "session.revoked"])
            #expect(try await Self.endReason(h, idle) == "session_idle_timeout")

            _ = try await O.signIn(h, &browser)
            let absolute = try O.sid(browser)
            for _ in 0..<23 {
                clock.advance(.seconds(7 * 3600))
                let (_, showedForm) = try await O.authorize(h, &browser)
                #expect(!showedForm)
            }
            clock.advance(.seconds(24 * 3600))
            let (_, showedForm) = try await O.authorize(h, &browser)
            #expect(showedForm, "7 days after the login the form is needed, however busy the session was")
            #expect(try await Self.endReason(h, absolute) == "session_absolute_timeout")
        }
    }

    static func endReason(_ h: HTTPHarness, _ sid: String) async throws -> String? {
        let rows = try await h.ledger.admin.query(
            "SELECT data->>'reason' FROM events WHERE stream_id = \("session/" + sid) AND type = 'session.ended'", logger: h.services.logger
        )
        for try await reason in rows.decode(String?.self) { return reason }
        return nil
    }

    @Test("a revoked session no longer signs in: after an admin revocation of the session, or of its subject, the form is needed again")
    func revokedSessionNeedsLogin() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            func revoke(_ body: String) async throws {
                let revoked = try await h.adminClient.executeRequest(
                    uri: "/admin/revocations", method: .post,
                    headers: [.authorization: "Bearer \(HTTPHarness.adminToken)", .contentType: "application/json"],
                    body: ByteBuffer(string: body)
                )
                #expect(revoked.status == .ok)
            }
            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            try await revoke(#"{"session":"\#(try O.sid(browser))"}"#)
            let (response, showedForm) = try await O.authorize(h, &browser, F.parameters(["prompt": "none"]))
            #expect(!showedForm)
            #expect(try F.location(response).items["error"] == "login_required")

            var other = O.Browser()
            _ = try await O.signIn(h, &other)
            clock.advance(.seconds(1))
            try await revoke(#"{"subject":"sub-alice"}"#)
            let (afterSubject, _) = try await O.authorize(h, &other, F.parameters(["prompt": "none"]))
            #expect(try F.location(afterSubject).items["error"] == "login_required")
            // A new login after the subject revocation signs in again.
            clock.advance(.seconds(1))
            _ = try await O.signIn(h, &other)
            let (silent, _) = try await O.authorize(h, &other, F.parameters(["prompt": "none"]))
            _ = try O.code(silent)
        }
    }
}
