import LedgerDomain
import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("Concurrent refresh-token rotation (I3)")
struct ConcurrentRotationTests {
    @Test("100 concurrent rotations of one token across two replicas: exactly one winner, the family ends revoked")
    func oneWinner() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            let context = DecisionContext(now: Instant(milliseconds: 1_800_000_000_000))
            let (grant, refresh) = try await GrantFixtures.activeGrant(in: ledger.primary.grants, context: context)

            let outcomes = try await withThrowingTaskGroup(of: Grant.GrantDecision.self) { group in
                for i in 0..<100 {
                    let store = ledger.replicas[i % 2].grants
                    group.addTask {
                        try await store.execute(
                            GrantFixtures.refresh(refresh, generation: 1), on: grant, context: context,
                            metadata: EventMetadata(actor: "test")
                        ).decision
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            let winners = outcomes.filter { $0.refusal == nil }
            #expect(winners.count == 1)
            let refusals = outcomes.compactMap { $0.refusal?.code }
            #expect(refusals.count == 99)
            #expect(refusals.allSatisfy { $0 == .reuseDetected || $0 == .revoked })
            #expect(refusals.filter { $0 == .reuseDetected }.count == 1)

            let state = try #require(try await ledger.primary.grants.load(grant))
            #expect(state.grant.status == .revoked)
            #expect(state.grant.revocationReason == .reuseDetected)
            #expect(state.grant.refresh?.generation == 2)

            let types = try await ledger.admin.query(
                "SELECT type FROM events WHERE stream_id = \("grant/" + grant.rawValue) ORDER BY stream_version"
            ).collect().map { try $0.decode(String.self) }
            #expect(types == [
                "grant.started", "grant.code.issued", "grant.code.redeemed", "grant.access_token.issued",
                "grant.refresh_token.issued", "grant.refresh_token.rotated", "grant.access_token.issued",
                "grant.refresh_token.reuse_detected", "grant.revoked",
            ])

            let report = try await ChainVerifier(client: ledger.admin, logger: .init(label: "test")).verify()
            guard case .intact(_, let last, let count, _) = report else {
                Issue.record("chain broken: \(report)")
                return
            }
            #expect(count == 9 && last == 9)
        }
    }
}
