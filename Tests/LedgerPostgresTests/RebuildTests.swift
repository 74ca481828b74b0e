import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("Projections are folds of the log: a rebuild equals the live state (I4)")
struct RebuildTests {
    /// Every projection table with the key that orders its rows. (`streams`, the stream-version
    /// table of the first schema, is included only where the schema still has it.)
    static let tables: [(name: String, order: String)] = [
        ("streams", "stream_id"), ("grants", "grant_id"), ("refresh_tokens", "token_hash"),
        ("authorization_codes", "code_hash"), ("denylist", "scope, key"), ("aggregates", "stream_id"),
    ]

    /// The projection tables present in the schema.
    static func presentTables(_ client: PostgresClient) async throws -> [(name: String, order: String)] {
        let present = Set(try await client.texts("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"))
        return tables.filter { present.contains($0.name) }
    }

    /// Every row of every projection table as text, in key order.
    static func snapshot(_ client: PostgresClient) async throws -> [String: [String]] {
        var snapshot: [String: [String]] = [:]
        for table in try await presentTables(client) {
            snapshot[table.name] = try await client.texts("SELECT t::text FROM \(table.name) t ORDER BY \(table.order)")
        }
        return snapshot
    }

    static func expectEqual(_ actual: [String: [String]], _ expected: [String: [String]], sourceLocation: SourceLocation = #_sourceLocation) {
        for table in tables {
            let a = actual[table.name] ?? [], e = expected[table.name] ?? []
            let firstDifference = zip(a, e).first { $0 != $1 }.map { "rebuilt \($0.0)\n   live \($0.1)" } ?? "row counts \(a.count) vs \(e.count)"
            #expect(a == e, "\(table.name) differs: \(firstDifference)", sourceLocation: sourceLocation)
        }
    }

    /// One grant as the workload tracks it.
    struct Tracked {
        var id: GrantID
        var client: ClientID
        var code: TokenHash
        /// Every refresh token issued to the grant, with its generation.
        var issued: [(hash: TokenHash, generation: Int)] = []
        var jtis: [TokenID] = []
    }

    static let graceClient = ClientID("client-grace")

    /// A seeded, randomized workload through two replicas' grant stores.
    static func runWorkload(_ ledger: TestDatabase.Ledger, seed: UInt64, grantCount: Int = 36, operations: Int = 260) async throws {
        var rng = SplitMix64(seed: seed)
        var now = testNow.milliseconds
        func context(_ client: ClientID) -> DecisionContext {
            now += Int64.random(in: 0...3000, using: &rng)
            let lifetimes = client == graceClient ? Lifetimes(refreshGrace: .seconds(10)) : .standard
            return DecisionContext(now: Instant(milliseconds: now), lifetimes: lifetimes)
        }
        let metadata = EventMetadata(actor: "test", requestID: "seed-\(seed)")
        var grants: [Tracked] = []

        for i in 0..<grantCount {
            let store = ledger.replicas[i % ledger.replicas.count].grants
            let id = GrantID("g\(i)-\(seed)")
            let client = [ClientID("client-a"), ClientID("client-b"), graceClient].randomElement(using: &rng)!
            if i % 12 == 11 {
                let start = GrantCommand.startWithClientCredentials(.init(
                    grantID: id, clientID: client, scope: Scope(["api"])
                ))
                _ = try await store.execute(start, on: id, context: context(client), metadata: metadata)
                continue
            }
            var tracked = Tracked(id: id, client: client, code: GrantFixtures.freshHash())
            let session = Bool.random(using: &rng) ? SessionID("sid-\(Int.random(in: 0..<6, using: &rng))") : nil
            let start = GrantCommand.startWithCode(.init(
                grantID: id, clientID: client, subject: Subject("user-\(Int.random(in: 0..<8, using: &rng))"), sessionID: session,
                scope: Scope(["openid", "offline_access", "profile"]), codeHash: tracked.code, redirectURI: "https://app.example/cb",
                codeChallenge: "challenge"
            ))
            _ = try await store.execute(start, on: id, context: context(client), metadata: metadata)
            if i % 12 != 10 {
                let refresh = GrantFixtures.freshHash()
                let jti = TokenID("at-\(id)-0")
                let redeem = GrantCommand.redeemCode(.init(
                    codeHash: tracked.code, clientID: client, redirectURI: "https://app.example/cb", verifierChallenge: "challenge",
                    accessToken: jti, refreshTokenHash: refresh, idToken: TokenID("id-\(id)")
                ))
                let outcome = try await store.execute(redeem, on: id, context: context(client), metadata: metadata)
                try #require(outcome.decision.refusal == nil)
                tracked.issued.append((refresh, 1))
                tracked.jtis.append(jti)
            }
            grants.append(tracked)
        }

        var counter = 0
        for op in 0..<operations {
            // The last three grants are left alone, so some stay active to the end.
            let index = Int.random(in: 0..<(grants.count - 3), using: &rng)
            let g = grants[index]
            let store = ledger.replicas[op % ledger.replicas.count].grants
            func refresh(_ hash: TokenHash, _ generation: Int, client: ClientID? = nil) -> GrantCommand {
                counter += 1
                return .refresh(.init(
                    presentedHash: hash, presentedGeneration: generation, clientID: client ?? g.client, requestedScope: nil,
                    successorHash: GrantFixtures.freshHash(), accessToken: TokenID("at-\(g.id)-\(counter)"),
                    keepsGraceAnswer: g.client == graceClient
                ))
            }
            func record(_ outcome: GrantStore.Outcome) {
                for event in outcome.decision.events {
                    if case .refreshTokenRotated(let e) = event { grants[index].issued.append((e.tokenHash, e.toGeneration)) }
                    if case .refreshTokenIssued(let e) = event { grants[index].issued.append((e.tokenHash, e.generation)) }
                    if case .accessTokenIssued(let e) = event { grants[index].jtis.append(e.jti) }
                }
            }
            let current = try await store.load(g.id)?.grant.refresh
            switch Int.random(in: 0..<100, using: &rng) {
            case ..<40:  // rotate the current token (refused if the grant is revoked, or has none)
                let hash = current?.currentHash ?? g.code
                record(try await store.execute(refresh(hash, current?.generation ?? 1), on: g.id, context: context(g.client), metadata: metadata))
            case ..<50:  // present an older generation: reuse (or a grace replay)
                guard let old = g.issued.dropLast().randomElement(using: &rng) else { continue }
                record(try await store.execute(refresh(old.hash, old.generation), on: g.id, context: context(g.client), metadata: metadata))
            case ..<62:  // concurrent duplicates of the current token across replicas
                guard let current else { continue }
                let ctx = context(g.client)
                let commands = (0..<Int.random(in: 2...5, using: &rng)).map { _ in refresh(current.currentHash, current.generation) }
                let outcomes = try await withThrowingTaskGroup(of: GrantStore.Outcome.self) { group in
                    for (i, command) in commands.enumerated() {
                        let store = ledger.replicas[i % ledger.replicas.count].grants
                        group.addTask { try await store.execute(command, on: g.id, context: ctx, metadata: metadata) }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes.filter { $0.decision.events.contains { if case .refreshTokenRotated = $0 { true } else { false } } }.count <= 1)
                outcomes.forEach(record)
            case ..<70:
                let reason = [RevocationReason.admin, .logout, .holderRequest].randomElement(using: &rng)!
                record(try await store.execute(.revoke(reason: reason), on: g.id, context: context(g.client), metadata: metadata))
            case ..<86:  // revoke an access token (sometimes one that already expired: no event)
                let jti = g.jtis.randomElement(using: &rng) ?? TokenID("unknown-\(op)")
                let ctx = context(g.client)
                let expires = ctx.now.adding(.milliseconds(Int64.random(in: -60_000...600_000, using: &rng)))
                record(try await store.execute(.revokeAccessToken(jti: jti, expiresAt: expires, reason: .holderRequest), on: g.id, context: ctx, metadata: metadata))
            case ..<93:  // replay a redeemed authorization code
                guard !g.issued.isEmpty else { continue }
                let replay = GrantCommand.redeemCode(.init(
                    codeHash: g.code, clientID: g.client, redirectURI: "https://app.example/cb", verifierChallenge: "challenge",
                    accessToken: TokenID("replay-\(op)"), refreshTokenHash: GrantFixtures.freshHash(), idToken: nil
                ))
                record(try await store.execute(replay, on: g.id, context: context(g.client), metadata: metadata))
            default:  // the current token presented by another client
                guard let current else { continue }
                let command = refresh(current.currentHash, current.generation, client: ClientID("client-thief"))
                record(try await store.execute(command, on: g.id, context: context(g.client), metadata: metadata))
            }
        }
    }

    @Test("after a randomized workload, rebuilding every projection yields the live rows exactly", arguments: [UInt64(1), 20_260_101])
    func rebuildEqualsLive(seed: UInt64) async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            try await Self.runWorkload(ledger, seed: seed)
            let live = try await Self.snapshot(ledger.admin)
            let events = try await ledger.admin.logShape().count

            // The workload reached every kind of row.
            // Every code grant has its row; the 3 client credentials grants live in the log only.
            #expect(live["grants"]?.count == 33)
            #expect(live["authorization_codes"]?.count == 33)
            #expect((live["refresh_tokens"]?.count ?? 0) > 40)
            #expect(live["streams"].map { $0.count == 36 } ?? true)
            #expect(live.count >= 4)
            let statuses = Set(try await ledger.admin.texts("SELECT DISTINCT status FROM grants"))
            #expect(statuses == ["active", "revoked", "awaiting_code"])
            let scopes = Set(try await ledger.admin.texts("SELECT DISTINCT scope FROM denylist"))
            #expect(scopes == ["grant", "token"])
            let reasons = Set(try await ledger.admin.texts("SELECT DISTINCT reason FROM denylist WHERE scope = 'grant'"))
            #expect(reasons.isSuperset(of: ["reuse_detected", "code_replay", "admin"]))

            let summary = try await ProjectionRebuilder(client: ledger.admin, logger: testLogger).rebuild()
            #expect(summary.events == Int(events))
            #expect(summary.aggregates == 36)
            Self.expectEqual(try await Self.snapshot(ledger.admin), live)

            // From nothing: empty every projection table, rebuild, and get the same rows back.
            let names = try await Self.presentTables(ledger.admin).map(\.name)
            try await ledger.admin.exec("TRUNCATE \(names.joined(separator: ", "))")
            let emptied = try await Self.snapshot(ledger.admin)
            #expect(emptied.count == names.count && emptied.values.allSatisfy { $0.isEmpty })
            _ = try await ProjectionRebuilder(client: ledger.admin, logger: testLogger).rebuild()
            Self.expectEqual(try await Self.snapshot(ledger.admin), live)

            // The log was not touched, and the rebuilt state carries on working.
            try await ledger.expectIntact(count: events)
            let activeID = try #require(try await ledger.admin.texts("SELECT grant_id FROM grants WHERE status = 'active' AND state ? 'refresh' ORDER BY grant_id LIMIT 1").first)
            let active = try #require(try await ledger.primary.grants.load(GrantID(activeID)))
            let family = try #require(active.grant.refresh)
            let outcome = try await ledger.primary.grants.execute(
                GrantFixtures.refresh(family.currentHash, generation: family.generation, client: active.grant.clientID),
                on: active.grant.id, context: DecisionContext(now: testNow.adding(.seconds(3600))), metadata: .system
            )
            #expect(outcome.decision.refusal == nil)
            #expect(outcome.receipt?.streamVersion == active.version + 2)
        }
    }
}
