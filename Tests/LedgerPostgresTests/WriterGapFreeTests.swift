import Foundation
import LedgerDomain
@testable import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("The group-commit writer keeps seq gap-free and the chain intact (I1, I2)", .timeLimit(.minutes(2)))
struct WriterGapFreeTests {
    /// What one appender saw.
    struct AppenderLog: Sendable {
        var stream: String
        /// Successful appends: receipt and number of events.
        var receipts: [(receipt: AppendReceipt, events: Int)] = []
        var staleRefused = 0
        var conflicts = 0
        var unavailable = 0
        var unexpected: [String] = []
    }

    /// The current version of a stream, read from the log (retried while connections are being killed).
    static func version(of stream: String, on client: PostgresClient) async throws -> Int64 {
        for attempt in 1... {
            do {
                // Guarded like the writer: PostgresNIO 1.33 can hang a query sent to a just-closed connection.
                return try await client.withConnection { leased in
                    try await ClosedConnectionGuard.run(on: leased) { connection in
                        try await connection.query(
                            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = \("session/" + stream)", logger: testLogger
                        ).collect()[0].decode(Int64.self)
                    }
                }
            } catch where attempt < 200 {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        fatalError("unreachable")
    }

    /// Checks everything a gap-free log promises, given every successful append.
    static func expectGapFree(_ ledger: TestDatabase.Ledger, _ results: [AppenderLog], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let shape = try await ledger.admin.logShape()
        #expect(shape.count > 0 && shape.min == 1 && shape.max == shape.count && shape.head == shape.max, "\(shape)", sourceLocation: sourceLocation)
        #expect(try await ledger.admin.streamsWithGaps() == [], sourceLocation: sourceLocation)

        // Receipts are disjoint, and every event they promise is in the log, in its stream, at its version.
        let rows = try await ledger.admin.query("SELECT seq, stream_id, stream_version FROM events", logger: testLogger).collect()
        var log: [Int64: (stream: String, version: Int64)] = [:]
        for row in rows {
            let (seq, stream, version) = try row.decode((Int64, String, Int64).self)
            log[seq] = (stream, version)
        }
        var claimed = Set<Int64>()
        for result in results {
            for (receipt, events) in result.receipts {
                #expect(receipt.lastSeq - receipt.firstSeq + 1 == Int64(events), sourceLocation: sourceLocation)
                for (offset, seq) in (receipt.firstSeq...receipt.lastSeq).enumerated() {
                    #expect(claimed.insert(seq).inserted, "seq \(seq) promised twice (now to \(result.stream): \(receipt), \(events) events)", sourceLocation: sourceLocation)
                    let row = log[seq]
                    let version = receipt.streamVersion - Int64(events) + 1 + Int64(offset)
                    #expect(row?.stream == "session/" + result.stream && row?.version == version, "seq \(seq): \(String(describing: row)), promised to \(result.stream): \(receipt)", sourceLocation: sourceLocation)
                }
            }
        }
        try await ledger.expectIntact(count: shape.count)
    }

    @Test("64 concurrent appenders on two replicas: conflicts are refused cleanly, seq and versions stay gap-free")
    func concurrentAppenders() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            let seed = try await ledger.primary.writer.append(try probeAppend("shared", expecting: 0))
            #expect(seed.firstSeq == 1 && seed.lastSeq == 1 && seed.streamVersion == 1)

            let results = await withTaskGroup(of: AppenderLog.self) { group in
                for task in 0..<64 {
                    let replica = ledger.replicas[task % 2]
                    group.addTask {
                        let shared = task >= 32
                        var result = AppenderLog(stream: shared ? "shared" : "own-\(task)")
                        var known: Int64 = shared ? 1 : 0
                        for j in 0..<20 {
                            let stale = shared && j % 4 == 0  // deliberately stale: the stream is at ≥ 1
                            let events = 1 + (task + j) % 3
                            do {
                                let append = try probeAppend(result.stream, expecting: stale ? 0 : known, events: events)
                                let receipt = try await replica.writer.append(append)
                                if stale { result.unexpected.append("stale append accepted: \(receipt)") }
                                result.receipts.append((receipt, events))
                                known = receipt.streamVersion
                            } catch let error as LedgerStoreError where error.code == .versionConflict {
                                if stale { result.staleRefused += 1 } else { result.conflicts += 1 }
                                if !shared { result.unexpected.append("conflict on an own stream: \(error)") }
                                known = (try? await Self.version(of: result.stream, on: replica.client)) ?? known
                            } catch {
                                result.unexpected.append("\(error)")
                            }
                        }
                        return result
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }

            #expect(results.flatMap(\.unexpected) == [])
            let own = results.filter { $0.stream != "shared" }
            let shared = results.filter { $0.stream == "shared" }
            #expect(own.allSatisfy { $0.receipts.count == 20 })
            #expect(shared.map(\.staleRefused).reduce(0, +) == 32 * 5)
            #expect(shared.map(\.conflicts).reduce(0, +) > 0, "no optimistic append ever lost a race")
            let sharedWins = shared.flatMap(\.receipts)
            #expect(!sharedWins.isEmpty)
            // Every winning append on the shared stream got its own, consecutive versions.
            let versions = sharedWins.map(\.receipt.streamVersion).sorted()
            #expect(Set(versions).count == versions.count)
            #expect(versions.last == 1 + Int64(sharedWins.map(\.events).reduce(0, +)))

            var all = results
            all.append(AppenderLog(stream: "shared", receipts: [(seed, 1)]))
            try await Self.expectGapFree(ledger, all)
            let total = all.flatMap(\.receipts).map(\.events).reduce(0, +)
            #expect(try await ledger.admin.logShape().count == Int64(total))
        }
    }

    @Test("a batch whose transaction fails at commit, after the statement answered, is never reported committed (I1)")
    func failureAtCommit() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            // A deferred constraint trigger fails the COMMIT of any batch holding a `session/doomed` event, after
            // `ledger_append` has inserted the rows and answered 'ok' to `ledger_commit`, which commits before it answers.
            try await ledger.admin.exec(
                """
                CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.stream_id = 'session/doomed' THEN RAISE EXCEPTION 'doomed at commit'; END IF;
                    RETURN NULL;
                END $$
                """
            )
            try await ledger.admin.exec(
                "CREATE CONSTRAINT TRIGGER doomed_at_commit AFTER INSERT ON events DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_doomed()"
            )
            // Inspect through the other replica's pool: a doomed commit may close the writer's connection, and
            // PostgresNIO 1.33 could hand that just-closed connection to a read (which would hang).
            let writer = ledger.replicas[1].writer
            _ = try await writer.append(try probeAppend("before", expecting: 0))

            await expectStoreError(.unavailable) { try await writer.append(try probeAppend("doomed", expecting: 0)) }
            #expect(try await ledger.admin.logShape() == (count: 1, min: 1, max: 1, head: 1))

            // Appends batched with a doomed one fail with it (outcome: nothing committed); none gets a receipt for it.
            let logs = await withTaskGroup(of: AppenderLog.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        var log = AppenderLog(stream: task == 0 ? "doomed" : "peer-\(task)")
                        do {
                            log.receipts.append((try await writer.append(try probeAppend(log.stream, expecting: 0)), 1))
                        } catch let error as LedgerStoreError where error.code == .unavailable {
                            log.unavailable += 1
                        } catch {
                            log.unexpected.append("\(error)")
                        }
                        return log
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(logs.flatMap(\.unexpected) == [])
            #expect(logs.first { $0.stream == "doomed" }?.unavailable == 1)
            let after = try await writer.append(try probeAppend("after", expecting: 0))
            try await Self.expectGapFree(ledger, logs + [AppenderLog(stream: "after", receipts: [(after, 1)])])
            #expect(try await ledger.admin.texts("SELECT count(*)::text FROM events WHERE stream_id = 'session/doomed'") == ["0"])
        }
    }

    @Test("connections killed mid-append: failures are .unavailable, no seq is burnt or duplicated, and the writer recovers")
    func killedConnections() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            // Kills start once every appender has committed once (whatever the machine's load), last
            // ~2 s, and then stop the appenders.
            let committed = Counter(), stopped = Counter()
            let (results, kills) = try await withClient(url: ledger.url) { killer in
                try await withThrowingTaskGroup(of: Int.self) { killers in
                    killers.addTask {
                        defer { stopped.add() }
                        var kills = 0
                        let patience = ContinuousClock.now + .seconds(20)
                        while committed.value < 64, ContinuousClock.now < patience { try await Task.sleep(for: .milliseconds(10)) }
                        let deadline = ContinuousClock.now + .seconds(2)
                        while ContinuousClock.now < deadline {
                            let killed = try await killer.query(
                                """
                                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                                WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
                                """,
                                logger: testLogger
                            ).collect()[0].decode(Int64.self)
                            kills += Int(killed)
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        return kills
                    }
                    let results = await withTaskGroup(of: AppenderLog.self) { group in
                        for task in 0..<64 {
                            let replica = ledger.replicas[task % 2]
                            group.addTask {
                                var result = AppenderLog(stream: "k\(task)")
                                var known: Int64 = 0
                                // Until the kills stop; one that has not committed yet (a loaded
                                // run may start the kills first) keeps trying up to 10 s longer.
                                var lastChance: ContinuousClock.Instant?
                                while true {
                                    if stopped.value != 0 {
                                        guard result.receipts.isEmpty else { break }
                                        let end = lastChance ?? ContinuousClock.now + .seconds(10)
                                        lastChance = end
                                        guard ContinuousClock.now < end else { break }
                                    }
                                    let events = 1 + task % 2
                                    do {
                                        let receipt = try await replica.writer.append(try probeAppend(result.stream, expecting: known, events: events))
                                        if result.receipts.isEmpty { committed.add() }
                                        result.receipts.append((receipt, events))
                                        known = receipt.streamVersion
                                    } catch let error as LedgerStoreError where error.code == .unavailable || error.code == .versionConflict {
                                        // Outcome unknown (or the previous one turned out committed): reload the version.
                                        if error.code == .unavailable { result.unavailable += 1 } else { result.conflicts += 1 }
                                        known = (try? await Self.version(of: result.stream, on: replica.client)) ?? known
                                    } catch {
                                        result.unexpected.append("\(error)")
                                    }
                                }
                                return result
                            }
                        }
                        return await group.reduce(into: []) { $0.append($1) }
                    }
                    let kills = try await killers.reduce(0, +)
                    return (results, kills)
                }
            }

            #expect(results.flatMap(\.unexpected) == [])
            #expect(kills > 0)
            // Whether a kill lands mid-statement (an append then fails as .unavailable) or between
            // statements (the guard replaces the connection unnoticed) depends on timing; both are
            // correct, and any other error is recorded as unexpected above.
            #expect(results.allSatisfy { !$0.receipts.isEmpty }, "some appender never committed")

            // After the kills, both writers work again at once.
            var finals: [AppenderLog] = []
            for (index, replica) in ledger.replicas.enumerated() {
                let receipt = try await replica.writer.append(try probeAppend("final-\(index)", expecting: 0, events: 2))
                finals.append(AppenderLog(stream: "final-\(index)", receipts: [(receipt, 2)]))
            }
            try await Self.expectGapFree(ledger, results + finals)
        }
    }
}
