import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import Testing

@Suite("Admin: per-subject history")
struct AdminSubjectHistoryTests {
    @Test("a subject's history holds exactly its grants' events, newest first, paginated by seq")
    func history() async throws {
        try await HTTPHarness.with { h in
            let context = DecisionContext(now: Instant.current())
            let (aliceGrant, aliceRefresh) = try await GrantFixtures.activeGrant(in: h.services.grants, subject: Subject("alice"), context: context)
            _ = try await GrantFixtures.activeGrant(in: h.services.grants, subject: Subject("bob"), context: context)
            _ = try await h.services.grants.execute(
                GrantFixtures.refresh(aliceRefresh, generation: 1), on: aliceGrant, context: context, metadata: EventMetadata(actor: "test")
            )
            let auth: HTTPFields = [.authorization: "Bearer \(HTTPHarness.adminToken)"]

            let unauthenticated = try await h.adminClient.executeRequest(uri: "/admin/subjects/alice/history", method: .get, headers: [:], body: nil)
            #expect(unauthenticated.status == .unauthorized)

            let all = try await h.adminClient.executeRequest(uri: "/admin/subjects/alice/history", method: .get, headers: auth, body: nil)
            #expect(all.status == .ok)
            let events = try #require(all.json["events"] as? [[String: Any]])
            #expect(events.map { $0["type"] as? String } == [
                "grant.access_token.issued", "grant.refresh_token.rotated", "grant.refresh_token.issued",
                "grant.access_token.issued", "grant.code.redeemed", "grant.code.issued", "grant.started",
            ])
            #expect(Set(events.map { $0["stream_id"] as? String }) == ["grant/" + aliceGrant.rawValue])
            let seqs = events.compactMap { $0["seq"] as? Int }
            #expect(seqs == seqs.sorted(by: >))

            let first = try await h.adminClient.executeRequest(uri: "/admin/subjects/alice/history?limit=3", method: .get, headers: auth, body: nil)
            let firstPage = try #require(first.json["events"] as? [[String: Any]])
            #expect(firstPage.compactMap { $0["seq"] as? Int } == Array(seqs.prefix(3)))
            let next = try #require(first.json["next_before"] as? Int)
            let second = try await h.adminClient.executeRequest(uri: "/admin/subjects/alice/history?limit=3&before=\(next)", method: .get, headers: auth, body: nil)
            #expect((second.json["events"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == Array(seqs.dropFirst(3).prefix(3)))

            let nobody = try await h.adminClient.executeRequest(uri: "/admin/subjects/nobody/history", method: .get, headers: auth, body: nil)
            #expect((nobody.json["events"] as? [[String: Any]])?.isEmpty == true)
        }
    }
}
