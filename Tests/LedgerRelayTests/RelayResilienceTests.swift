import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerRedis
import LedgerRelay
import LedgerTesting
import Testing

/// The relay when Redis goes away and when the publishing replica dies: nothing is lost and
/// order holds (repeats are allowed: subscribers apply idempotently).
@Suite struct RelayResilienceTests {
    @Test func redisStoppedDuringABurstGetsEveryRevocationInOrderWhenItReturns() async throws {
        // The relay authenticates as `relay`; the restarted server lacks that user until the test
        // adds it, so the recorder is subscribed again before the backlog goes out.
        let relayUser = ["relay", "on", ">relay-secret", "~*", "&*", "+@all"]
        let server = try await PrivateRedisServer.start(arguments: ["--user"] + relayUser)
        try await TestDatabase.withLedger { ledger in
            let subscriberEndpoint = try RedisEndpoint(url: server.url)
            var relayEndpoint = subscriberEndpoint
            (relayEndpoint.username, relayEndpoint.password) = ("relay", "relay-secret")
            var configuration = RelayHarness.configuration()
            configuration.backoff = RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200))
            let recorder = RedisChannelRecorder(endpoint: subscriberEndpoint, channel: configuration.channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let relay = RelayHarness.start(try await RelayHarness.relay(ledger.primary, redis: relayEndpoint, configuration))
            defer { relay.cancel() }
            _ = try await recorder.wait(for: "first heartbeat") { $0.heartbeats.first }

            var seqs: [Int64] = []
            for index in 0..<60 {
                if index == 20 {
                    _ = try await recorder.wait(for: "the burst's start") { $0.revocations.count >= 5 ? true : nil }
                    server.stop()
                }
                // Revocation keeps working while Redis is down: the log is the outbox.
                seqs.append(try await RevocationFixtures.append(LedgerDomain.Revocation.Scope.allCases[index % 5], to: ledger.primary.writer))
            }
            try await server.start()
            _ = try await recorder.wait(for: "resubscription") { $0.connections > 1 ? true : nil }
            #expect(server.command(["ACL", "SETUSER"] + relayUser).contains("OK"))

            let seen = try await recorder.wait(for: "all 60 revocations") { seen in
                Set(seen.revocations.map(\.seq)).isSuperset(of: seqs) ? seen : nil
            }
            #expect(seen.revocations.map(\.seq).firstAppearances == seqs)
            #expect(Set(seen.revocations.map(\.seq)) == Set(seqs))
        }
        server.stop()
    }

    @Test func anotherReplicasRelayTakesOverFromTheCheckpointWhenTheLeaderDies() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            let redis = try RedisEndpoint(url: TestEnvironment.redisURL)
            let configuration = RelayHarness.configuration()
            let recorder = RedisChannelRecorder(endpoint: redis, channel: configuration.channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let leader = RelayHarness.start(try await RelayHarness.relay(ledger.replicas[0], redis: redis, configuration))
            defer { leader.cancel() }
            _ = try await recorder.wait(for: "the leader's first heartbeat") { $0.heartbeats.first }
            let follower = RelayHarness.start(try await RelayHarness.relay(ledger.replicas[1], redis: redis, configuration))
            defer { follower.cancel() }

            var seqs: [Int64] = []
            for index in 0..<40 {
                if index == 15 {
                    _ = try await recorder.wait(for: "the burst's start") { $0.revocations.count >= 5 ? true : nil }
                    // A crash: the lease connection dies without unlocking, then the process is gone.
                    let killed = try await ledger.admin.query(
                        """
                        SELECT pg_terminate_backend(pid) FROM pg_locks
                        WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        """
                    ).collect().count
                    #expect(killed == 1)
                    leader.cancel()
                }
                seqs.append(try await RevocationFixtures.append(LedgerDomain.Revocation.Scope.allCases[index % 5], to: ledger.replicas[index % 2].writer))
            }
            let seen = try await recorder.wait(for: "all 40 revocations from the new leader") { seen in
                Set(seen.revocations.map(\.seq)).isSuperset(of: seqs) ? seen : nil
            }
            #expect(seen.revocations.map(\.seq).firstAppearances == seqs)
            #expect(Set(seen.revocations.map(\.seq)) == Set(seqs))
            let beat = try await recorder.wait(for: "the new leader's heartbeat") { $0.heartbeats.last.flatMap { $0.seq == seqs.last ? $0 : nil } }
            #expect(beat.seq == seqs.last)
        }
    }
}
