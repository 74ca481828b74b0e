import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerService
import Testing

/// Login and consent delegated to the platform's apps, end to end through `/authorize`, the
/// admin API the apps call, the code exchange, the ID token and userinfo.
@Suite("Login delegation: the platform's login and consent apps")
struct LoginDelegationTests {
    typealias D = DelegationFixtures
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures
    typealias T = TokenFixtures

    static var accept: [String: Any] {
        [
            "subject": "user-7", "remember": true, "acr": "urn:example:mfa", "amr": ["pwd", "otp"],
            "claims": ["name": "Ada Lovelace", "email": "ada@example.com", "department": "Analytical Engines"],
        ]
    }

    @Test("login → accept → code → tokens with the subject, acr, amr and the claims the scope releases; every step logged")
    func loginAccepted() async throws {
        try await HTTPHarness.with(loginURL: D.loginApp) { h in
            try await F.register(h)
            var browser = O.Browser()
            let challenge = try await D.startLogin(h, &browser, F.parameters(["login_hint": "ada", "acr_values": "urn:example:mfa"]))
            #expect(!challenge.contains(F.challenge), "the challenge is a handle, never the request")

            let request = try await D.admin(h, .get, "/admin/login-requests/\(challenge)")
            #expect(request.status == .ok)
            #expect(request.json["client_id"] as? String == "spa")
            #expect(request.json["client_name"] as? String == "Demo <App> & \"Co\"")
            #expect(request.json["requested_scope"] as? [String] == ["openid", "profile"])
            #expect(request.json["login_hint"] as? String == "ada")
            #expect(request.json["acr_values"] as? [String] == ["urn:example:mfa"])
            #expect(request.json["skip"] as? Bool == false)

            let back = try await D.acceptLogin(h, challenge, Self.accept)
            let answer = try await browser.get(h, back)
            let code = try O.code(answer)
            let tokens = try await O.exchange(h, code)
            let id = try await O.verifiedIDToken(h, try #require(tokens["id_token"] as? String))
            #expect(id.sub == "user-7")
            #expect(id.nonce == F.nonce)
            #expect(id.acr == "urn:example:mfa")
            #expect(id.amr == ["pwd", "otp"])
            let (_, idClaims) = try T.jwtParts(try #require(tokens["id_token"] as? String))
            #expect(idClaims["name"] as? String == "Ada Lovelace")
            #expect(idClaims["department"] as? String == "Analytical Engines")
            #expect(idClaims["email"] == nil, "email needs the email scope")

            let userinfo = try await O.userInfo(h, try #require(tokens["access_token"] as? String))
            #expect(userinfo.status == .ok)
            #expect(userinfo.json["sub"] as? String == "user-7")
            #expect(userinfo.json["name"] as? String == "Ada Lovelace")
            #expect(userinfo.json["email"] == nil)

            #expect(try await D.eventTypes(h, kind: "login") == ["login.requested", "login.accepted", "consent.granted", "login.completed"])
            let log = try await h.ledger.admin.query(
                "SELECT data::text FROM events WHERE type = 'login.accepted'", logger: h.services.logger
            )
            for try await data in log.decode(String.self) {
                #expect(data.contains("\"department\""), "the log names the claims")
                #expect(!data.contains("Ada Lovelace") && !data.contains("ada@example.com"), "the log never holds their values")
            }
            // The subject's history shows the login.
            let history = try await D.admin(h, .get, "/admin/subjects/user-7/history")
            let types = (history.json["events"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types.contains("login.accepted") && types.contains("grant.started"))
            try await D.expectIntactChain(h)
        }
    }

    @Test("reject → an error redirect to the client with state and iss; the challenge is then used")
    func loginRejected() async throws {
        try await HTTPHarness.with(loginURL: D.loginApp) { h in
            try await F.register(h)
            var browser = O.Browser()
            let challenge = try await D.startLogin(h, &browser, F.parameters())
            let rejected = try await D.admin(
                h, .put, "/admin/login-requests/\(challenge)/reject", ["error": "access_denied", "error_description": "The user cancelled"]
            )
            #expect(rejected.status == .ok)
            let redirect = try #require(rejected.json["redirect_to"] as? String)
            let target = try #require(URLComponents(string: redirect))
            let items = Dictionary(uniqueKeysWithValues: (target.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            #expect(target.path == "/cb")
            #expect(items["error"] == "access_denied")
            #expect(items["error_description"] == "The user cancelled")
            #expect(items["state"] == F.state)
            #expect(items["iss"] == "https://issuer.test")
            let again = try await D.admin(h, .put, "/admin/login-requests/\(challenge)/accept", ["subject": "user-7"])
            #expect(again.status == .conflict)
            #expect(try await D.eventTypes(h, kind: "login") == ["login.requested", "login.rejected"])
            try await D.expectIntactChain(h)
        }
    }

    @Test("challenges and verifiers are single-use, bound to their browser, and one flow's handle never works for another")
    func handlesAreSingleUseAndBound() async throws {
        try await HTTPHarness.with(loginURL: D.loginApp) { h in
            try await F.register(h)
            var browser = O.Browser()
            let challenge = try await D.startLogin(h, &browser, F.parameters())
            // A forged challenge of the same flow, and an unknown one.
            let flow = String(challenge.prefix { $0 != "." })
            #expect(try await D.admin(h, .get, "/admin/login-requests/\(flow).\(SecretDigest.mint())").status == .notFound)
            #expect(try await D.admin(h, .get, "/admin/login-requests/not-a-challenge").status == .notFound)

            let back = try await D.acceptLogin(h, challenge, ["subject": "user-7"])
            #expect(try await D.admin(h, .put, "/admin/login-requests/\(challenge)/accept", ["subject": "mallory"]).status == .conflict)

            // Another browser cannot bring the verifier back.
            var stranger = O.Browser()
            #expect(try await stranger.get(h, back).status == .badRequest)

            // A second flow in the same browser: the first flow's verifier, pointed at it, fails.
            let second = try await D.startLogin(h, &browser, F.parameters())
            let secondFlow = String(second.prefix { $0 != "." })
            let verifier = String(back.split(separator: "=", maxSplits: 1)[1])
            let grafted = "/authorize?login_verifier=" + secondFlow + "." + String(verifier.split(separator: ".")[1])
            #expect(try await browser.get(h, grafted).status == .badRequest)

            // The owner's browser, once; a replay is refused.
            _ = try O.code(try await browser.get(h, back))
            #expect(try await browser.get(h, back).status == .badRequest)
            #expect(try await D.eventTypes(h, kind: "login").filter { $0 == "login.completed" }.count == 1)
        }
    }

    @Test("prompt=none: without a session login_required and the app is not visited; with one, a code at once")
    func promptNone() async throws {
        try await HTTPHarness.with(loginURL: D.loginApp) { h in
            try await F.register(h)
            var browser = O.Browser()
            let refused = try await browser.get(h, F.authorizeURI(F.parameters(["prompt": "none"])))
            let (_, items) = try F.location(refused)
            #expect(items["error"] == "login_required")
            #expect(items["state"] == F.state)
            #expect(try await D.eventTypes(h, kind: "login").isEmpty)

            let challenge = try await D.startLogin(h, &browser, F.parameters())
            _ = try O.code(try await browser.get(h, try await D.acceptLogin(h, challenge, Self.accept)))
            let silent = try await browser.get(h, F.authorizeURI(F.parameters(["prompt": "none"])))
            let tokens = try await O.exchange(h, try O.code(silent))
            let (_, idClaims) = try T.jwtParts(try #require(tokens["id_token"] as? String))
            #expect(idClaims["sub"] as? String == "user-7")
            #expect(idClaims["name"] as? String == "Ada Lovelace", "the session's claims carry over")
            #expect(try await D.eventTypes(h, kind: "login").filter { $0 == "login.requested" }.count == 1)
        }
    }

    @Test("a session is offered as skip with its subject; prompt=login and an exceeded max_age are not; a skip keeps its subject")
    func skipPromptLoginAndMaxAge() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, loginURL: D.loginApp) { h in
            try await F.register(h)
            var browser = O.Browser()
            let first = try await D.startLogin(h, &browser, F.parameters())
            _ = try O.code(try await browser.get(h, try await D.acceptLogin(h, first, ["subject": "user-7", "remember": true])))

            let second = try await D.startLogin(h, &browser, F.parameters())
            let offered = try await D.admin(h, .get, "/admin/login-requests/\(second)")
            #expect(offered.json["skip"] as? Bool == true)
            #expect(offered.json["subject"] as? String == "user-7")
            let other = try await D.admin(h, .put, "/admin/login-requests/\(second)/accept", ["subject": "mallory"])
            #expect(other.status == .badRequest)

            let forced = try await D.startLogin(h, &browser, F.parameters(["prompt": "login"]))
            #expect(try await D.admin(h, .get, "/admin/login-requests/\(forced)").json["skip"] as? Bool == false)

            clock.advance(.seconds(120))
            let aged = try await D.startLogin(h, &browser, F.parameters(["max_age": "60"]))
            #expect(try await D.admin(h, .get, "/admin/login-requests/\(aged)").json["skip"] as? Bool == false)
            let fresh = try await D.startLogin(h, &browser, F.parameters(["max_age": "600"]))
            #expect(try await D.admin(h, .get, "/admin/login-requests/\(fresh)").json["skip"] as? Bool == true)
        }
    }

    @Test("consent: asked, granted for part of the scope with claims, remembered, skipped while remembered, revoked, asked again")
    func consentRememberedAndRevoked() async throws {
        try await HTTPHarness.with(loginURL: D.loginApp, consentURL: D.consentApp) { h in
            try await F.register(h)
            var browser = O.Browser()
            let parameters = F.parameters(["scope": "openid profile email"])
            let login = try await D.startLogin(h, &browser, parameters)
            let toConsent = try await browser.get(h, try await D.acceptLogin(h, login, ["subject": "user-7", "remember": true]))
            let consent = try D.parameter("consent_challenge", of: toConsent, base: D.consentApp)

            let request = try await D.admin(h, .get, "/admin/consent-requests/\(consent)")
            #expect(request.json["subject"] as? String == "user-7")
            #expect(request.json["requested_scope"] as? [String] == ["email", "openid", "profile"])
            let tooMuch = try await D.admin(h, .put, "/admin/consent-requests/\(consent)/accept", ["grant_scope": ["openid", "admin"]])
            #expect(tooMuch.status == .badRequest)
            let back = try await D.acceptConsent(h, consent, [
                "grant_scope": ["openid", "profile"], "remember": true,
                "session": ["id_token": ["name": "Ada", "email": "hidden@example.com"], "userinfo": ["name": "Ada L."]],
            ])
            let tokens = try await O.exchange(h, try O.code(try await browser.get(h, back)))
            #expect(tokens["scope"] as? String == "openid profile")
            let (_, idClaims) = try T.jwtParts(try #require(tokens["id_token"] as? String))
            #expect(idClaims["name"] as? String == "Ada")
            #expect(idClaims["email"] == nil, "email was not granted")
            #expect(try await O.userInfo(h, try #require(tokens["access_token"] as? String)).json["name"] as? String == "Ada L.")

            // Remembered: the same scope again goes from the login app straight to the client.
            let narrower = F.parameters(["scope": "openid profile"])
            let again = try await D.startLogin(h, &browser, narrower)
            _ = try O.code(try await browser.get(h, try await D.acceptLogin(h, again, ["subject": "user-7"])))
            // Wider than remembered: asked again.
            let wider = try await D.startLogin(h, &browser, parameters)
            _ = try D.parameter("consent_challenge", of: try await browser.get(h, try await D.acceptLogin(h, wider, ["subject": "user-7"])), base: D.consentApp)

            let revoked = try await D.admin(h, .delete, "/admin/subjects/user-7/consents/spa")
            #expect(revoked.status == .noContent)
            let afterRevoke = try await D.startLogin(h, &browser, narrower)
            _ = try D.parameter(
                "consent_challenge", of: try await browser.get(h, try await D.acceptLogin(h, afterRevoke, ["subject": "user-7"])), base: D.consentApp
            )
            #expect(try await D.eventTypes(h, kind: "consent") == ["consent.remembered", "consent.revoked"])
            #expect(try await D.eventTypes(h, kind: "login").filter { $0 == "consent.granted" }.count == 2)
            try await D.expectIntactChain(h)

            // Flows and consents are folds like every aggregate: a rebuild gives the same rows (I4).
            let live = try await AdminFixtures.projectionRows(h)
            #expect(live.contains { $0.hasPrefix("aggregates login/") } && live.contains { $0.hasPrefix("aggregates consent/spa/user-7 ") })
            _ = try await ProjectionRebuilder(client: h.ledger.admin, logger: h.services.logger).rebuild()
            #expect(try await AdminFixtures.projectionRows(h) == live)
        }
    }

    @Test("consent reject → error redirect; a first-party client (skip_consent) is never sent to the consent app")
    func consentRejectedAndFirstParty() async throws {
        try await HTTPHarness.with(loginURL: D.loginApp, consentURL: D.consentApp) { h in
            try await F.register(h)
            try await F.register(h, id: "portal", skipConsent: true)
            var browser = O.Browser()
            let login = try await D.startLogin(h, &browser, F.parameters())
            let consent = try D.parameter(
                "consent_challenge", of: try await browser.get(h, try await D.acceptLogin(h, login, ["subject": "user-7"])), base: D.consentApp
            )
            let rejected = try await D.admin(h, .put, "/admin/consent-requests/\(consent)/reject", [:])
            let redirect = try #require(rejected.json["redirect_to"] as? String)
            #expect(redirect.contains("error=access_denied") && redirect.contains("iss=https%3A%2F%2Fissuer.test"))

            let portal = try await D.startLogin(h, &browser, F.parameters(["client_id": "portal"]))
            _ = try O.code(try await browser.get(h, try await D.acceptLogin(h, portal, ["subject": "user-7"])))
            let granted = try await h.ledger.admin.query(
                "SELECT data->>'source' FROM events WHERE type = 'consent.granted' ORDER BY seq", logger: h.services.logger
            )
            var sources: [String] = []
            for try await source in granted.decode(String.self) { sources.append(source) }
            #expect(sources == ["first_party"])
        }
    }
}
