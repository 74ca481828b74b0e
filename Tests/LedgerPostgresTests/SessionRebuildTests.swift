import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

/// OP sessions are folds of their `session/<sid>` streams like every other aggregate (I4).
@Suite("Sessions: a rebuild equals the live rows")
struct SessionRebuildTests {
    @Test("started, ended, revoked and revocation-only sessions rebuild to the same aggregates and deny-list rows")
    func rebuild() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            let metadata = EventMetadata(actor: "test")
            func at(_ seconds: Int64) -> DecisionContext { DecisionContext(now: testNow.adding(.seconds(seconds))) }
            let stores = ledger.replicas.map { SessionStore(client: $0.client, writer: $0.writer, logger: testLogger) }
            let alice = Subject("alice"), bob = Subject("bob")
            for (index, (sid, subject)) in [("s1", alice), ("s2", alice), ("s3", bob), ("s4", alice)].enumerated() {
                let outcome = try await stores[index % 2].execute(
                    .start(SessionID(sid), subject: subject), on: SessionID(sid), context: at(Int64(index)), metadata: metadata
                )
                #expect(outcome.decision.refusal == nil)
            }
            let expiry = testNow.adding(.seconds(900))
            _ = try await stores[0].execute(.end(reason: .logout, tokensExpireBy: expiry), on: SessionID("s1"), context: at(10), metadata: metadata)
            _ = try await stores[1].execute(
                .revoke(SessionID("s3"), subject: bob, reason: .admin, tokensExpireBy: expiry), on: SessionID("s3"), context: at(11),
                metadata: metadata
            )
            _ = try await stores[0].execute(
                .revoke(SessionID("s9"), subject: bob, reason: .sessionLimit, tokensExpireBy: expiry), on: SessionID("s9"),
                context: at(12), metadata: metadata
            )
            #expect(try await stores[1].active(ofSubject: alice).map(\.sessionID) == [SessionID("s2"), SessionID("s4")])
            #expect(try await stores[0].active(ofSubject: bob).isEmpty)
            #expect(try await ledger.admin.texts("SELECT key || ' ' || reason FROM denylist WHERE scope = 'session' ORDER BY key")
                == ["s1 logout", "s3 admin", "s9 session_limit"])

            let live = try await RebuildTests.snapshot(ledger.admin)
            #expect(live["aggregates"]?.filter { $0.contains("session/") }.count == 5)
            _ = try await ProjectionRebuilder(client: ledger.admin, logger: testLogger).rebuild()
            RebuildTests.expectEqual(try await RebuildTests.snapshot(ledger.admin), live)

            // The rebuilt state carries on: s2 ends normally, a second start of s4 is refused.
            let ended = try await stores[1].execute(.end(reason: .logout, tokensExpireBy: expiry), on: SessionID("s2"), context: at(20), metadata: metadata)
            #expect(ended.decision.events.count == 2)
            #expect(try await stores[0].execute(.start(SessionID("s4"), subject: alice), on: SessionID("s4"), context: at(21), metadata: metadata)
                .decision.refusal?.code == .alreadyStarted)
        }
    }
}
