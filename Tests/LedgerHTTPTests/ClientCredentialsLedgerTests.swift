import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerService
import Testing

/// A client credentials token is one event and no live row (docs/storage.md), and still
/// introspects, revokes, and shows in the client's and subject's history and exports.
@Suite("client_credentials: one event per token")
struct ClientCredentialsLedgerTests {
    @Test("one grant.client_credentials event, its jti the grant id, no grants row, lean metadata")
    func oneEvent() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, id: "svc-lean")
            let before = try await TokenFixtures.eventCount(h)
            var headers = client.basic
            headers[.userAgent] = "lean-test/1"
            let response = try await h.publicClient.postForm("/token", [("grant_type", "client_credentials")], headers: headers)
            let token = try #require(response.json["access_token"] as? String)
            #expect(try await TokenFixtures.eventCount(h) == before + 1)
            let (_, claims) = try TokenFixtures.jwtParts(token)
            let grant = try TokenFixtures.grantID(ofAccessToken: token)
            #expect(claims["jti"] as? String == grant.rawValue)
            #expect(grant.rawValue.utf8.count == 22)

            let events = try await AdminFixtures.events(h, stream: "grant/\(grant.rawValue)")
            #expect(events.map(\.type) == ["grant.client_credentials"])
            let data = try #require(events.first?.data)
            #expect(Set(data.keys) == ["grant_id", "client_id", "scope", "issued_at", "expires_at"])
            #expect(data["client_id"] as? String == "svc-lean")
            #expect(try await Self.grantRows(h) == 0)

            let metadata = try await Self.metadata(h, stream: "grant/\(grant.rawValue)")
            #expect(metadata["actor"] as? String == "client:svc-lean")
            #expect(metadata["client_id"] == nil, "the actor names the client already")
            let userAgent = try #require(metadata["ua_hash"] as? String)
            #expect(userAgent.utf8.count == 43, "a base64url HMAC-SHA256")

            let state = try await TokenFixtures.grant(h, grant)
            #expect(state.flow == .clientCredentials && state.status == .active && state.clientID == ClientID("svc-lean"))
        }
    }

    @Test("introspection answers active, then inactive once the holder revoked it; the revocation lands on the token's stream")
    func introspectAndRevoke() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, id: "svc-revoke")
            let token = try await Self.issue(h, client)
            let grant = try TokenFixtures.grantID(ofAccessToken: token)
            let active = try await TokenFixtures.introspect(h, token, as: client)
            #expect(active["active"] as? Bool == true)
            #expect(active["jti"] as? String == grant.rawValue)
            #expect(active["sub"] as? String == "svc-revoke")

            let revoke = try await TokenFixtures.post(h, "/revoke", ["token": token], as: client)
            #expect(revoke.status == .ok)
            let events = try await AdminFixtures.events(h, stream: "grant/\(grant.rawValue)")
            #expect(events.map(\.type) == ["grant.client_credentials", "grant.access_token.revoked"])
            #expect(events.last?.data["jti"] as? String == grant.rawValue)
            #expect(try await AdminFixtures.deny(h, "token", grant.rawValue)?.reason == "revocation_request")
            #expect(try await TokenFixtures.introspect(h, token, as: client)["active"] as? Bool == false)
            #expect(try await Self.grantRows(h) == 0)

            let again = try await TokenFixtures.post(h, "/revoke", ["token": token], as: client)
            #expect(again.status == .ok)
            #expect(try await AdminFixtures.events(h, stream: "grant/\(grant.rawValue)").count == 2, "revoked once")
        }
    }

    @Test("the admin API revokes one by jti and one by grant id")
    func adminRevocations() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, id: "svc-admin")
            let byJTI = try await Self.issue(h, client)
            let byGrant = try await Self.issue(h, client)
            let jti = try TokenFixtures.grantID(ofAccessToken: byJTI).rawValue
            let grant = try TokenFixtures.grantID(ofAccessToken: byGrant).rawValue

            let first = try await AdminFixtures.call(h, .post, "/admin/revocations", json: #"{"jti":"\#(jti)"}"#)
            #expect(first.status == .ok)
            let second = try await AdminFixtures.call(h, .post, "/admin/revocations", json: #"{"grant":"\#(grant)"}"#)
            #expect(second.status == .ok)
            #expect(try await AdminFixtures.events(h, stream: "grant/\(jti)").last?.type == "grant.access_token.revoked")
            #expect(try await AdminFixtures.events(h, stream: "grant/\(grant)").last?.type == "grant.revoked")
            #expect(try await TokenFixtures.introspect(h, byJTI, as: client)["active"] as? Bool == false)
            #expect(try await TokenFixtures.introspect(h, byGrant, as: client)["active"] as? Bool == false)
            #expect(try await Self.grantRows(h) == 0)
        }
    }

    @Test("the client's export and the client's history as a subject hold every issuance and revocation")
    func historyAndExport() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, id: "svc-audit")
            let other = try await TokenFixtures.register(h, id: "svc-other")
            let tokens = [try await Self.issue(h, client), try await Self.issue(h, client)]
            _ = try await Self.issue(h, other)
            _ = try await TokenFixtures.post(h, "/revoke", ["token": tokens[0]], as: client)
            let grants = try tokens.map { try TokenFixtures.grantID(ofAccessToken: $0).rawValue }

            let auth: HTTPFields = [.authorization: "Bearer \(HTTPHarness.adminToken)"]
            let history = try await h.adminClient.executeRequest(uri: "/admin/subjects/svc-audit/history", method: .get, headers: auth, body: nil)
            #expect(history.status == .ok)
            let entries = try #require(history.json["events"] as? [[String: Any]])
            #expect(entries.map { $0["type"] as? String } == ["grant.access_token.revoked", "grant.client_credentials", "grant.client_credentials"])
            #expect(Set(entries.compactMap { ($0["stream_id"] as? String)?.dropFirst("grant/".count).description }) == Set(grants))

            let export = try await h.adminClient.executeRequest(uri: "/admin/export?client=svc-audit", method: .get, headers: auth, body: nil)
            #expect(export.status == .ok)
            let lines = String(decoding: Data(buffer: export.body), as: UTF8.self).split(separator: "\n")
            let types = lines.compactMap { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["type"] as? String
            }
            #expect(types.filter { $0.hasPrefix("grant.") } == ["grant.client_credentials", "grant.client_credentials", "grant.access_token.revoked"])
        }
    }

    private static func issue(_ h: HTTPHarness, _ client: TokenFixtures.TestClient) async throws -> String {
        let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
        #expect(response.status == .ok)
        return try #require(response.json["access_token"] as? String)
    }

    private static func grantRows(_ h: HTTPHarness) async throws -> Int64 {
        let rows = try await h.ledger.admin.query("SELECT count(*) FROM grants", logger: h.services.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }

    private static func metadata(_ h: HTTPHarness, stream: String) async throws -> [String: Any] {
        let rows = try await h.ledger.admin.query(
            "SELECT metadata::text FROM events WHERE stream_id = \(stream) ORDER BY seq LIMIT 1", logger: h.services.logger
        )
        for try await text in rows.decode(String.self) {
            return (try JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
        return [:]
    }
}
