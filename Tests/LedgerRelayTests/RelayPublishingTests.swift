import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerRedis
import LedgerRelay
import LedgerTesting
import Testing

/// The relay against real PostgreSQL and Redis: what it publishes, and the heartbeat.
@Suite struct RelayPublishingTests {
    @Test func publishesOneMessagePerRevocationWithExactlyTheScopesFields() async throws {
        try await TestDatabase.withLedger { ledger in
            let redis = try RedisEndpoint(url: TestEnvironment.redisURL)
            let configuration = RelayHarness.configuration()
            let recorder = RedisChannelRecorder(endpoint: redis, channel: configuration.channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let relay = RelayHarness.start(RelayHarness.relay(ledger.primary.client, redis: redis, configuration))
            defer { relay.cancel() }
            _ = try await recorder.wait(for: "first heartbeat") { $0.heartbeats.first }

            let until = Instant(milliseconds: Instant.current().milliseconds + 600_500)
            var expected: [(Int64, RevocationMessage.Scope, Set<String>)] = []
            for scope in RevocationMessage.Scope.allCases {
                let seq = try await RevocationFixtures.append(RevocationFixtures.event(scope, until: until), to: ledger.primary.writer)
                let fields: Set<String> =
                    switch scope {
                    case .token: ["jti"]
                    case .grant: ["grant_id"]
                    case .session: ["sid"]
                    case .subject: ["sub", "not_before"]
                    case .client: ["client_id", "not_before"]
                    }
                expected.append((seq, scope, fields))
            }
            // A non-revocation in between is not published.
            try await RevocationFixtures.append(
                ClientEvent.deactivated(.init(clientID: ClientID("quiet"), at: Instant.current())), to: ledger.primary.writer
            )
            let last = try await RevocationFixtures.append(.token, to: ledger.primary.writer)

            let seen = try await recorder.wait(for: "six revocations") { $0.revocations.count >= 6 ? $0 : nil }
            #expect(seen.revocations.map(\.seq) == expected.map(\.0) + [last])
            let revocationObjects = seen.objects.filter { $0["type"] == .string("revoked") }
            for ((seq, scope, fields), object) in zip(expected, revocationObjects) {
                #expect(Set(object.keys) == Set(["v", "type", "seq", "scope", "until", "reason", "at"]).union(fields))
                #expect(object["v"] == .int(1))
                #expect(object["seq"] == .int(seq))
                #expect(object["scope"] == .string(scope.rawValue))
                #expect(object["until"] == .int(until.secondsRoundedUpForTest))
            }
            #expect(revocationObjects[1]["reason"] == .string("reuse_detected"))
            let heartbeat = try await recorder.wait(for: "heartbeat after the revocations") {
                $0.heartbeats.last.flatMap { $0.seq == last ? $0 : nil }
            }
            #expect(heartbeat.at >= seen.revocations.last!.at)
            try await waitForCheckpoint(ledger, channel: configuration.channel, at: last)
        }
    }

    @Test func heartbeatsKeepComingCarryingTheHighestRevocationSeq() async throws {
        try await TestDatabase.withLedger { ledger in
            let redis = try RedisEndpoint(url: TestEnvironment.redisURL)
            let configuration = RelayHarness.configuration()
            let recorder = RedisChannelRecorder(endpoint: redis, channel: configuration.channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let relay = RelayHarness.start(RelayHarness.relay(ledger.primary.client, redis: redis, configuration))
            defer { relay.cancel() }
            let revoked = try await RevocationFixtures.append(.session, to: ledger.primary.writer)
            let beats = try await recorder.wait(for: "five heartbeats after the revocation") { seen in
                let after = seen.heartbeats.filter { $0.seq == revoked }
                return after.count >= 5 ? after : nil
            }
            // In order, and carrying the highest revocation seq; the 2 s cadence is timed against a
            // real serve process (ServiceProcessRelayTests), away from this crowded test process.
            let gaps = zip(beats, beats.dropFirst()).map { $1.at - $0.at }
            #expect(gaps.allSatisfy { $0 > 0 }, "heartbeat gaps in ms: \(gaps)")
            #expect(beats.allSatisfy { $0.seq == revoked })
        }
    }

    private func waitForCheckpoint(_ ledger: TestDatabase.Ledger, channel: String, at seq: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if try await RelayHarness.checkpoint(ledger.admin, channel: channel) == seq { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("checkpoint did not reach \(seq)")
    }
}

extension Instant {
    /// Whole seconds, rounded up, as the wire format gives `until`.
    var secondsRoundedUpForTest: Int64 { (milliseconds + 999) / 1000 }
}
