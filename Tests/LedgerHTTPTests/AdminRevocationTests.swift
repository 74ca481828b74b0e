import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

@Suite("Admin API: revocations")
struct AdminRevocationTests {
    static let t0 = AdminFixtures.t0

    /// POSTs a revocation and expects 200; returns the body.
    static func revoke(_ h: HTTPHarness, _ json: String) async throws -> [String: Any] {
        let response = try await AdminFixtures.call(h, .post, "/admin/revocations", json: json)
        #expect(response.status == .ok)
        return response.json
    }

    @Test("subject: one subject.revoked (not_before now, until now + longest token lifetime, refresh tokens included) and nothing per grant")
    func subject() async throws {
        let clock = AuthorizeFixtures.Clock(Self.t0)
        try await HTTPHarness.with(now: clock.now) { h in
            _ = try await AdminFixtures.register(
                h, #"{"grant_types":["client_credentials"],"tokenledger_lifetimes":{"access_token_seconds":900,"refresh_token_absolute_seconds":7200,"refresh_token_idle_seconds":3600}}"#
            )
            let alices = [try await AdminFixtures.grant(h, client: "a", subject: "alice"), try await AdminFixtures.grant(h, client: "b", subject: "alice")]
            let bobs = try await AdminFixtures.grant(h, client: "a", subject: "bob")
            clock.advance(.seconds(1))
            let at = Self.t0.adding(.seconds(1))

            let body = try await Self.revoke(h, #"{"subject":"alice"}"#)
            let events = try await AdminFixtures.events(h, stream: "subject/alice")
            #expect(events.map(\.type) == ["subject.revoked"])
            #expect(body["seq"] as? Int64 == events[0].seq)
            let revoked = try #require(body["revoked"] as? [String: Any])
            #expect(revoked["scope"] as? String == "subject")
            #expect(revoked["sub"] as? String == "alice")
            #expect(revoked["reason"] as? String == "admin")
            #expect(revoked["not_before"] as? Int64 == at.seconds)
            #expect(revoked["until"] as? Int64 == at.seconds + 7200)
            #expect(revoked["grants"] as? [String] == [])

            let deny = try await AdminFixtures.deny(h, "subject", "alice")
            #expect(deny == .init(notBefore: at.milliseconds, until: at.adding(.seconds(7200)).milliseconds, reason: "admin"))
            for grant in alices {
                #expect(try await AdminFixtures.events(h, stream: "grant/\(grant)").map(\.type).contains("grant.revoked") == false)
            }
            let listed = try await AdminFixtures.call(h, .get, "/admin/subjects/alice/grants").json["grants"] as? [[String: Any]]
            #expect(listed?.isEmpty == true, "the watermark covers alice's grants")
            #expect(try await AdminFixtures.grantState(h, bobs).status == .active)
        }
    }

    @Test("subject without clients: until falls back to one hour")
    func subjectFallback() async throws {
        try await HTTPHarness.with(now: { Self.t0 }) { h in
            let body = try await Self.revoke(h, #"{"subject":"carol","reason":"compromised"}"#)
            let revoked = try #require(body["revoked"] as? [String: Any])
            #expect(revoked["until"] as? Int64 == Self.t0.seconds + 3600)
            #expect(try await AdminFixtures.deny(h, "subject", "carol")?.reason == "compromised")
        }
    }

    @Test("session: session.revoked with the session's subject, deny row, its grants revoked; repeat appends nothing")
    func session() async throws {
        try await HTTPHarness.with(now: { Self.t0 }) { h in
            let inSession = try await AdminFixtures.grant(h, subject: "alice", session: "sid-1")
            let elsewhere = try await AdminFixtures.grant(h, subject: "alice", session: "sid-2")

            let body = try await Self.revoke(h, #"{"session":"sid-1","reason":"logout"}"#)
            let events = try await AdminFixtures.events(h, stream: "session/sid-1")
            #expect(events.map(\.type) == ["session.revoked"])
            #expect(events[0].data["sub"] as? String == "alice")
            #expect(body["seq"] as? Int64 == events[0].seq)
            let revoked = try #require(body["revoked"] as? [String: Any])
            #expect(revoked["sid"] as? String == "sid-1")
            #expect(revoked["grants"] as? [String] == [inSession.rawValue])
            #expect(try await AdminFixtures.deny(h, "session", "sid-1") == .init(notBefore: nil, until: Self.t0.adding(.seconds(3600)).milliseconds, reason: "logout"))
            #expect(try await AdminFixtures.grantState(h, inSession).revocationReason == .logout)
            #expect(try await AdminFixtures.grantState(h, elsewhere).status == .active)

            let head = try await AdminFixtures.head(h)
            let again = try await Self.revoke(h, #"{"session":"sid-1"}"#)
            #expect(again["seq"] is NSNull)
            #expect(try await AdminFixtures.head(h) == head)
            let unknown = try await AdminFixtures.call(h, .post, "/admin/revocations", json: #"{"session":"nope"}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("grant: grant.revoked and its deny row; unknown grant 404; repeat appends nothing")
    func grant() async throws {
        try await HTTPHarness.with(now: { Self.t0 }) { h in
            let grant = try await AdminFixtures.grant(h)
            let body = try await Self.revoke(h, #"{"grant":"\#(grant.rawValue)"}"#)
            let events = try await AdminFixtures.events(h, stream: "grant/\(grant.rawValue)")
            #expect(events.last?.type == "grant.revoked")
            #expect(body["seq"] as? Int64 == events.last?.seq)
            #expect(try await AdminFixtures.deny(h, "grant", grant.rawValue)?.reason == "admin")
            #expect(try await AdminFixtures.grantState(h, grant).status == .revoked)

            let again = try await Self.revoke(h, #"{"grant":"\#(grant.rawValue)"}"#)
            #expect(again["seq"] is NSNull)
            let unknown = try await AdminFixtures.call(h, .post, "/admin/revocations", json: #"{"grant":"nope"}"#)
            #expect(unknown.status == .notFound)
            #expect(unknown.json["error"] as? String == "not_found")
        }
    }

    @Test("client_id: one client.revoked, deny row with not_before, nothing per grant, client stays active")
    func client() async throws {
        let clock = AuthorizeFixtures.Clock(Self.t0)
        try await HTTPHarness.with(now: clock.now) { h in
            let id = try #require(try await AdminFixtures.register(h, AdminClientTests.confidential)["client_id"] as? String)
            let grant = try await AdminFixtures.grant(h, client: id)
            clock.advance(.seconds(1))
            let at = Self.t0.adding(.seconds(1))
            let body = try await Self.revoke(h, #"{"client_id":"\#(id)"}"#)
            let events = try await AdminFixtures.events(h, stream: "client/\(id)")
            #expect(events.map(\.type) == ["client.registered", "client.revoked"])
            #expect(body["seq"] as? Int64 == events[1].seq)
            let until = at.adding(Lifetimes.standard.refreshTokenAbsolute).milliseconds
            #expect(try await AdminFixtures.deny(h, "client", id) == .init(notBefore: at.milliseconds, until: until, reason: "admin"))
            #expect(try await AdminFixtures.call(h, .get, "/admin/clients/\(id)").json["active"] as? Bool == true)
            #expect(try await AdminFixtures.events(h, stream: "grant/\(grant)").map(\.type).contains("grant.revoked") == false)
            let listed = try await AdminFixtures.call(h, .get, "/admin/subjects/alice/grants").json["grants"] as? [[String: Any]]
            #expect(listed?.isEmpty == true, "the watermark covers the client's grants")
            let unknown = try await AdminFixtures.call(h, .post, "/admin/revocations", json: #"{"client_id":"nope"}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("jti: grant.access_token.revoked until the token's expiry (or exp), deny row; unknown jti 404")
    func accessToken() async throws {
        try await HTTPHarness.with(now: { Self.t0 }) { h in
            let grant = try await AdminFixtures.grant(h, jti: "jti-1")
            try await AdminFixtures.grant(h, jti: "jti-2")
            let body = try await Self.revoke(h, #"{"jti":"jti-1"}"#)
            let events = try await AdminFixtures.events(h, stream: "grant/\(grant.rawValue)")
            #expect(events.last?.type == "grant.access_token.revoked")
            #expect(events.last?.data["jti"] as? String == "jti-1")
            #expect(body["seq"] as? Int64 == events.last?.seq)
            #expect(try await AdminFixtures.deny(h, "token", "jti-1") == .init(notBefore: nil, until: Self.t0.adding(.seconds(600)).milliseconds, reason: "admin"))
            #expect(try await AdminFixtures.grantState(h, grant).status == .active)

            let exp = Self.t0.seconds + 120
            _ = try await Self.revoke(h, #"{"jti":"jti-2","exp":\#(exp),"reason":"leaked"}"#)
            #expect(try await AdminFixtures.deny(h, "token", "jti-2") == .init(notBefore: nil, until: exp * 1000, reason: "leaked"))
            let unknown = try await AdminFixtures.call(h, .post, "/admin/revocations", json: #"{"jti":"nope"}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("rebuilding the projections after every kind of revocation gives the same rows (I4)")
    func rebuildMatchesLive() async throws {
        try await HTTPHarness.with(now: { Self.t0 }) { h in
            let id = try #require(try await AdminFixtures.register(h, AdminClientTests.confidential)["client_id"] as? String)
            try await AdminFixtures.grant(h, client: id, subject: "alice", session: "sid-1", jti: "jti-1")
            let other = try await AdminFixtures.grant(h, client: "b", subject: "bob")
            for body in [#"{"subject":"alice"}"#, #"{"session":"sid-1"}"#, #"{"jti":"jti-1"}"#, #"{"grant":"\#(other.rawValue)"}"#, #"{"client_id":"\#(id)"}"#] {
                _ = try await Self.revoke(h, body)
            }
            #expect(try await AdminFixtures.call(h, .delete, "/admin/clients/\(id)").status == .noContent)
            let live = try await AdminFixtures.projectionRows(h)
            _ = try await ProjectionRebuilder(client: h.ledger.admin, logger: h.services.logger).rebuild()
            let rebuilt = try await AdminFixtures.projectionRows(h)
            #expect(rebuilt == live)
            #expect(live.contains { $0.hasPrefix("aggregates subject/alice ") })
            #expect(live.contains { $0.hasPrefix("aggregates session/sid-1 ") })
        }
    }

    static let badBodies = [
        "{}", #"{"subject":"a","grant":"b"}"#, #"{"subject":""}"#, #"{"subject":1}"#, "not json", "[]",
        #"{"grant":"g","exp":5}"#, #"{"jti":"j","exp":"soon"}"#, #"{"subject":"a","reason":"bad reason!"}"#, #"{"reason":"admin"}"#,
    ]

    @Test("a bad body gets 400 invalid_request and changes nothing", arguments: badBodies)
    func badBody(_ json: String) async throws {
        try await HTTPHarness.with(now: { Self.t0 }) { h in
            let head = try await AdminFixtures.head(h)
            let response = try await AdminFixtures.call(h, .post, "/admin/revocations", json: json)
            #expect(response.status == .badRequest)
            #expect(response.json["error"] as? String == "invalid_request")
            #expect(try await AdminFixtures.head(h) == head)
        }
    }
}
