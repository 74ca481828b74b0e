import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

/// The per-subject session limit (docs/openid-connect.md#session-limit) and the admin view of a subject's sessions and grants.
@Suite("OIDC: session limit and admin listing")
struct OIDCSessionLimitTests {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures
    typealias T = TokenFixtures

    @Test("with a limit of 2, a third login revokes the oldest session and its grants (reason session_limit)")
    func limit() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users, sessionLimit: SessionLimit(maxPerSubject: 2)) { h in
            try await F.register(h)
            let introspector = try await T.register(h, id: "rs", scope: "introspect")
            var browsers = [O.Browser(), O.Browser(), O.Browser()]
            var tokens: [[String: Any]] = []
            for index in browsers.indices {
                tokens.append(try await O.signIn(h, &browsers[index]))
                clock.advance(.seconds(1))
            }
            let sids = try browsers.map(O.sid)
            #expect(try await O.eventTypes(h, stream: "session/\(sids[0])") == ["session.started", "session.revoked"])
            #expect(try await O.eventTypes(h, stream: "session/\(sids[1])") == ["session.started"])
            let active = try await h.services.sessions.active(ofSubject: Subject("sub-alice")).map(\.sessionID.rawValue)
            #expect(active == [sids[1], sids[2]])
            let oldest = try #require(tokens[0]["access_token"] as? String)
            #expect(try await T.grant(h, try T.grantID(ofAccessToken: oldest)).revocationReason == .sessionLimit)
            #expect(try await T.introspect(h, oldest, as: introspector)["active"] as? Bool == false)
            #expect(try await T.introspect(h, try #require(tokens[2]["access_token"] as? String), as: introspector)["active"] as? Bool == true)
            let (response, _) = try await O.authorize(h, &browsers[0], F.parameters(["prompt": "none"]))
            #expect(try F.location(response).items["error"] == "login_required")
        }
    }

    @Test("concurrent logins under a limit of 1 converge: exactly one session stays active, the others are revoked")
    func concurrentLogins() async throws {
        try await HTTPHarness.with(users: F.users, sessionLimit: SessionLimit(maxPerSubject: 1)) { h in
            try await F.register(h)
            var forms: [(O.Browser, [(String, String)])] = []
            for _ in 0..<5 {
                var browser = O.Browser()
                let page = try await browser.get(h, F.authorizeURI(F.parameters()))
                let html = page.text
                forms.append((browser, [
                    ("request", try #require(F.hiddenInput("request", in: html))), ("csrf", try #require(F.hiddenInput("csrf", in: html))),
                    ("username", "alice"), ("password", F.password),
                ]))
            }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for (browser, form) in forms {
                    group.addTask {
                        var browser = browser
                        return try await browser.post(h, "/authorize", form).status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 303, count: 5))
            #expect(try await h.services.sessions.active(ofSubject: Subject("sub-alice")).count == 1)
            let revoked = try await h.ledger.admin.query(
                "SELECT count(*) FROM events WHERE type = 'session.revoked' AND data->>'reason' = 'session_limit'", logger: h.services.logger
            )
            for try await count in revoked.decode(Int64.self) { #expect(count == 4) }
        }
    }

    @Test("admin lists a subject's active sessions and unrevoked grants; revoking one session revokes its grants")
    func adminListing() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var first = O.Browser()
            var second = O.Browser()
            let firstTokens = try await O.signIn(h, &first)
            _ = try await O.signIn(h, &second)
            let sids = try [O.sid(first), O.sid(second)]

            func get(_ uri: String) async throws -> [String: Any] {
                let response = try await h.adminClient.executeRequest(
                    uri: uri, method: .get, headers: [.authorization: "Bearer \(HTTPHarness.adminToken)"], body: nil
                )
                #expect(response.status == .ok)
                return response.json
            }
            let sessions = try #require(try await get("/admin/subjects/sub-alice/sessions")["sessions"] as? [[String: Any]])
            #expect(Set(sessions.compactMap { $0["sid"] as? String }) == Set(sids))
            let grants = try #require(try await get("/admin/subjects/sub-alice/grants")["grants"] as? [[String: Any]])
            #expect(grants.count == 2)
            #expect(Set(grants.compactMap { $0["sid"] as? String }) == Set(sids))
            #expect(grants.allSatisfy { $0["client_id"] as? String == "spa" && $0["status"] as? String == "active" })

            let revoked = try await h.adminClient.executeRequest(
                uri: "/admin/revocations", method: .post,
                headers: [.authorization: "Bearer \(HTTPHarness.adminToken)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"session":"\#(sids[0])"}"#)
            )
            #expect(revoked.status == .ok)
            let firstGrant = try T.grantID(ofAccessToken: try #require(firstTokens["access_token"] as? String))
            #expect((revoked.json["revoked"] as? [String: Any])?["grants"] as? [String] == [firstGrant.rawValue])
            let left = try #require(try await get("/admin/subjects/sub-alice/sessions")["sessions"] as? [[String: Any]])
            #expect(left.compactMap { $0["sid"] as? String } == [sids[1]])
            let grantsLeft = try #require(try await get("/admin/subjects/sub-alice/grants")["grants"] as? [[String: Any]])
            #expect(grantsLeft.compactMap { $0["sid"] as? String } == [sids[1]])
        }
    }
}
