import Foundation
import JWTKit
import LedgerHTTP
import Logging
import LedgerDomain
import LedgerPostgres
import LedgerRedis
import LedgerRelay
import LedgerTesting
import Testing
import LedgerService

/// The relay against real PostgreSQL and Redis: what it publishes, and the heartbeat.
@Suite struct RelayPublishingTests {
    @Test func publishesOneMessagePerRevocationWithExactlyTheScopesFields() async throws {
        try await TestDatabase.withLedger { ledger in
            let redis = try RedisEndpoint(url: TestEnvironment.redisURL)
            let configuration = RelayHarness.configuration()
            let recorder = RedisChannelRecorder(endpoint: redis, channel: configuration.channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let relay = RelayHarness.start(try await RelayHarness.relay(ledger.primary, redis: redis, configuration))
            defer { relay.cancel() }
            _ = try await recorder.wait(for: "first heartbeat") { $0.heartbeats.first }

            let until = Instant(milliseconds: Instant.current().milliseconds + 600_500)
            var expected: [(Int64, LedgerDomain.Revocation.Scope, Set<String>)] = []
            for scope in LedgerDomain.Revocation.Scope.allCases {
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
            // Each is a signed SET chained to the one before it by prev_seq.
            #expect(Array(seen.revocations.map(\.claims.prevSeq).dropFirst()) == Array(seen.revocations.map(\.seq).dropLast()))
            let keys = try await KeyRing.started(on: ledger.primary, logger: Logger(label: "test"))
            for ((seq, scope, fields), message) in zip(expected, seen.revocations) {
                #expect(message.header["typ"] == .string("secevent+jwt"))
                #expect(message.header["alg"] == .string("ES256"))
                #expect(message.header["kid"] == (await keys.signingKeyID).map { .string($0.rawValue) })
                #expect(Set(message.object.keys).isSubset(of: ["iss", "jti", "iat", "seq", "prev_seq", "events", "sub_id"]))
                #expect(message.claims.iss == RelayHarness.issuer)
                #expect(message.seq == seq)
                let event = try #require(message.revoked)
                guard case .object(let events) = message.object["events"], case .object(let body) = events[Self.revokedURI] else {
                    Issue.record("no revoked event in message \(seq)")
                    continue
                }
                #expect(Set(body.keys) == Set(["scope", "until", "reason"]).union(fields))
                #expect(event.scope == scope)
                #expect(event.until == until.secondsRoundedUpForTest)
                let caep = events[Self.caepURI] != nil
                #expect(caep == (scope == .session || scope == .subject), "CAEP session-revoked with \(scope)")
                _ = try await keys.verify(message.compact, as: AnyClaims.self)
            }
            #expect(seen.revocations[1].revoked?.reason == "reuse_detected")
            // Signed once: the strings published are the ones the catch-up feed answers.
            let stored = try await ledger.admin.query("SELECT seq, message FROM broadcast_messages ORDER BY seq").collect()
                .map { try $0.decode((Int64, String).self) }
            #expect(stored.map(\.0) == seen.revocations.map(\.seq))
            #expect(stored.map(\.1) == seen.revocations.map(\.compact))
            #expect(Set(seen.messages.map(\.claims.jti)).count == seen.messages.count)
            let heartbeat = try await recorder.wait(for: "heartbeat after the revocations") {
                $0.heartbeats.last.flatMap { $0.seq == last ? $0 : nil }
            }
            #expect(heartbeat.at >= seen.revocations.last!.at)
            #expect(heartbeat.claims.prevSeq == last)
            _ = try await keys.verify(heartbeat.compact, as: AnyClaims.self)
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
            let relay = RelayHarness.start(try await RelayHarness.relay(ledger.primary, redis: redis, configuration))
            defer { relay.cancel() }
            let revoked = try await RevocationFixtures.append(.session, to: ledger.primary.writer)
            let beats = try await recorder.wait(for: "five heartbeats after the revocation") { seen in
                let after = seen.heartbeats.filter { $0.seq == revoked }
                return after.count >= 5 ? after : nil
            }
            // In order, and carrying the highest revocation seq; the 2 s cadence is timed against a
            // real serve process (ServiceProcessRelayTests), away from this crowded test process.
            let gaps = zip(beats, beats.dropFirst()).map { $1.claims.iat - $0.claims.iat }
            #expect(gaps.allSatisfy { $0 >= 0 }, "heartbeat iat gaps in s: \(gaps)")
            #expect(Set(beats.map(\.claims.jti)).count == beats.count)
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

extension RelayPublishingTests {
    static let revokedURI = "https://tokenledger.dev/secevent/revoked"
    static let caepURI = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"

    /// Any payload: the test checks the signature, not the claims.
    struct AnyClaims: JWTPayload {
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}

extension Instant {
    /// Whole seconds, rounded up, as the wire format gives `until`.
    var secondsRoundedUpForTest: Int64 { (milliseconds + 999) / 1000 }
}
