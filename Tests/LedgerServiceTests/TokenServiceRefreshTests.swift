import Crypto
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerService
import Testing

@Suite("TokenService: a refresh is one call (rotation, grace replay, reuse, races), no HTTP")
struct TokenServiceRefreshTests {
    @Test("a refresh rotates; the rotated token again inside the grace window gets the winner's exact bytes")
    func graceReplayReturnsTheSameBytes() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.codeClient(refreshGrace: 30)
            let first = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
            let winner = try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            let replay = try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            #expect(replay.body == winner.body)
            let second = try #require(try ServiceFixture.json(winner)["refresh_token"] as? String)
            #expect(second != first)
            let next = try await f.tokens.refresh(second, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            #expect(try ServiceFixture.json(next)["refresh_token"] as? String != second)
        }
    }

    @Test("the grace answer stays out of the log: the rotation event holds no sealed answer or live token; the kept answer needs the server key and goes at the next rotation")
    func graceAnswerIsKeptOutsideTheLog() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.codeClient(refreshGrace: 30)
            let first = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
            let winner = try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            let winnerJSON = try ServiceFixture.json(winner)
            let second = try #require(winnerJSON["refresh_token"] as? String)
            let access = try #require(winnerJSON["access_token"] as? String)

            let log = try await f.ledger.admin.query(
                "SELECT type, data::text FROM events WHERE type = 'grant.refresh_token.rotated'", logger: f.stores.logger
            )
            var rotations: [String] = []
            for try await (_, data) in log.decode((String, String).self) { rotations.append(data) }
            #expect(rotations.count == 1)
            let rotation = try #require(rotations.first)
            #expect(!rotation.contains("sealed_response"))
            #expect(rotation.contains(#""grace_answer_kept": true"#) || rotation.contains(#""grace_answer_kept":true"#))
            let everything = try await f.ledger.admin.query("SELECT string_agg(data::text, ' ') FROM events", logger: f.stores.logger)
            for try await text in everything.decode(String.self) {
                #expect(!text.contains(second) && !text.contains(access), "a live token is in the log")
            }

            let rows = try await f.ledger.admin.query("SELECT grant_id, from_generation, sealed FROM refresh_grace", logger: f.stores.logger)
            var kept: [(String, Int32, Data)] = []
            for try await row in rows.decode((String, Int32, Data).self) { kept.append(row) }
            #expect(kept.count == 1)
            let (grant, generation, sealed) = try #require(kept.first)
            #expect(generation == 1)
            // The spent token alone (any other server key) does not open it.
            let stranger = GraceSeal(serverKey: .init(size: .bits256))
            #expect(stranger.open(sealed, presented: first, grant: GrantID(grant)) == nil)

            _ = try await f.tokens.refresh(second, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            let after = try await f.ledger.admin.query("SELECT from_generation FROM refresh_grace", logger: f.stores.logger)
            var generations: [Int32] = []
            for try await generation in after.decode(Int32.self) { generations.append(generation) }
            #expect(generations == [2], "only the last rotation's answer is kept")
        }
    }

    @Test("reuse_policy subject: a reused token revokes every grant of the subject with one subject.revoked; grant (default) only its own")
    func reusePolicySubject() async throws {
        for policy in ["subject", "grant"] {
            try await ServiceFixture.with { f in
                let caller = try await f.codeClient(reusePolicy: policy)
                let first = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
                let other = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
                _ = try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
                let reuse = await ServiceFixture.failure { () async throws(TokenError) in try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata) }
                #expect(reuse?.refusal?.code == .reuseDetected)

                let subjectRevocations = try await f.ledger.admin.query(
                    "SELECT count(*) FROM events WHERE type = 'subject.revoked'", logger: f.stores.logger
                )
                for try await count in subjectRevocations.decode(Int64.self) { #expect(count == (policy == "subject" ? 1 : 0), "\(policy)") }
                let otherGrant = await ServiceFixture.failure { () async throws(TokenError) in try await f.tokens.refresh(other, scope: nil, caller: caller, metadata: ServiceFixture.metadata) }
                if policy == "subject" {
                    #expect(otherGrant?.code == .refused, "the subject's other grant is revoked too")
                } else {
                    #expect(otherGrant == nil, "only the reused grant is revoked")
                }
            }
        }
    }

    @Test("without a grace window a rotated token presented again is reuse: refused, and the successor dies with the grant")
    func reuseRevokesTheGrant() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.codeClient()
            let first = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
            let winner = try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            let second = try #require(try ServiceFixture.json(winner)["refresh_token"] as? String)
            let reuse = await ServiceFixture.failure { () async throws(TokenError) in
                try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            }
            #expect(reuse?.code == .refused)
            #expect(reuse?.refusal?.code == .reuseDetected)
            let successor = await ServiceFixture.failure { () async throws(TokenError) in
                try await f.tokens.refresh(second, scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            }
            #expect(successor?.code == .refused)
            #expect(successor?.refusal?.code == .revoked)
        }
    }

    @Test("16 parallel refreshes of one token without grace: exactly one issues, 15 are refused as reuse")
    func parallelRefreshesHaveOneWinner() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.codeClient()
            let first = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
            let outcomes = await withTaskGroup(of: Result<IssuedTokens, TokenError>.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        do throws(TokenError) {
                            return .success(try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var all: [Result<IssuedTokens, TokenError>] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let issued = outcomes.compactMap { try? $0.get() }
            let refusals = outcomes.compactMap { outcome -> GrantError.Code? in
                if case .failure(let error) = outcome { error.refusal?.code } else { nil }
            }
            #expect(issued.count == 1)
            #expect(refusals.count == 15)
            #expect(refusals.allSatisfy { $0 == .reuseDetected || $0 == .revoked })
        }
    }

    @Test("16 parallel refreshes of one token with a grace window: all 16 get the same bytes")
    func parallelRefreshesInsideGraceShareOneAnswer() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.codeClient(refreshGrace: 30)
            let first = try #require(try await f.redeemedCode(for: caller)["refresh_token"] as? String)
            let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await f.tokens.refresh(first, scope: nil, caller: caller, metadata: ServiceFixture.metadata).body }
                }
                var all: [Data] = []
                for try await body in group { all.append(body) }
                return all
            }
            #expect(bodies.count == 16)
            #expect(Set(bodies).count == 1)
        }
    }

    @Test("a registration changed after authentication fails the request with registrationChanged and writes nothing")
    func changedRegistrationWritesNothing() async throws {
        try await ServiceFixture.with { f in
            let caller = try await f.serviceClient()
            // Another replica deactivates the client (no sweep: nothing of it is deny-listed yet
            // that this request would meet first).
            let now = Instant.current()
            _ = try await f.stores.clients.execute(
                .deactivate(reason: .clientDeactivated, tokensExpireBy: now.adding(.seconds(600))), on: caller.client.id,
                context: DecisionContext(now: now), metadata: ServiceFixture.metadata
            )
            let before = try await f.eventCount()
            await #expect(throws: TokenError.registrationChanged) {
                _ = try await f.tokens.clientCredentials(scope: nil, caller: caller, metadata: ServiceFixture.metadata)
            }
            #expect(try await f.eventCount() == before)
            // The stale registration was forgotten: the next read is the deactivated one.
            #expect(try await f.stores.clients.recent(caller.client.id)?.client.active == false)
        }
    }
}
