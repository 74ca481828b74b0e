import Foundation
import LedgerDomain
import LedgerRedis
import LedgerTesting
import Testing

/// The revocation relay inside real `tokenledger serve` processes (docs/broadcast.md).
@Suite("relay across serve processes", .serialized)
struct ServiceProcessRelayTests {
    @Test("a serve process publishes a heartbeat at least every 2 s")
    func heartbeatCadence() async throws {
        try await TestDatabase.withLedger { ledger in
            // Timed by the sender's signed `iat` (whole seconds), not by arrival in this crowded test
            // process: a gap of at most 2 s between two heartbeats puts their `iat`s at most 2 apart.
            let channel = "test:process-heartbeat:\(UUID().uuidString)"
            let recorder = RedisChannelRecorder(endpoint: try RedisEndpoint(url: TestEnvironment.redisURL), channel: channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let service = try await ServiceProcess.start(
                databaseURL: ledger.url, logLevel: "error",
                environment: ["TOKENLEDGER_REDIS_CHANNEL": channel, "TOKENLEDGER_REDIS_URL": TestEnvironment.redisURL]
            )
            defer { service.stop() }
            let beats = try await recorder.wait(for: "six heartbeats", within: .seconds(30)) { seen in
                seen.heartbeats.count >= 6 ? Array(seen.heartbeats.prefix(6)) : nil
            }
            let gaps = zip(beats, beats.dropFirst()).map { $1.claims.iat - $0.claims.iat }
            #expect(gaps.allSatisfy { $0 >= 0 && $0 <= 2 }, "heartbeat iat gaps in s: \(gaps)")
            #expect(beats.last!.claims.iat - beats.first!.claims.iat <= 10, "six heartbeats within 10 s by the sender's clock")
        }
    }

    @Test("kill -9 the publishing replica mid-burst: the other replica's relay resumes from the checkpoint, nothing lost")
    func killThePublisher() async throws {
        try await TestDatabase.withLedger { ledger in
            let channel = "test:process-relay:\(UUID().uuidString)"
            // Replicas of one deployment share the issuer, so either accepts the other's tokens.
            let environment = [
                "TOKENLEDGER_REDIS_CHANNEL": channel, "TOKENLEDGER_REDIS_URL": TestEnvironment.redisURL,
                "TOKENLEDGER_ISSUER": "https://replicas.test",
            ]
            let recorder = RedisChannelRecorder(endpoint: try RedisEndpoint(url: TestEnvironment.redisURL), channel: channel)
            defer { recorder.close() }
            _ = try await recorder.wait(for: "subscription") { $0.connections > 0 ? true : nil }
            let first = try await ServiceProcess.start(databaseURL: ledger.url, logLevel: "error", environment: environment)
            defer { first.kill() }
            // The first replica leads once its heartbeats flow; the second then only follows.
            _ = try await recorder.wait(for: "the first replica's heartbeat") { $0.heartbeats.first }
            let second = try await ServiceProcess.start(databaseURL: ledger.url, logLevel: "error", environment: environment)
            defer { second.stop() }

            let client = try await ServiceProcessTests.registerClient(
                second, body: #"{"client_name":"burst","grant_types":["client_credentials"],"scope":"api"}"#
            )
            let http = second.publicClient()
            var tokens: [String] = []
            for _ in 0..<30 {
                let response = try await http.postForm("/token", [("grant_type", "client_credentials")], headers: [.authorization: client.basic])
                tokens.append(try #require(response.json["access_token"] as? String))
            }
            // Revoked through the second replica (the first may not know the second's signing key
            // yet when both started on an empty database); the first publishes until it dies.
            for (index, token) in tokens.enumerated() {
                if index == 10 {
                    _ = try await recorder.wait(for: "the burst's first revocations") { $0.revocations.count >= 5 ? true : nil }
                    first.kill()
                }
                let response = try await http.postForm("/revoke", [("token", token)], headers: [.authorization: client.basic])
                #expect(response.head.status == .ok)
            }
            try? await http.shutdown()

            let expected = Set(try tokens.map(ServiceProcessTests.jti(of:)))
            let seen = try await recorder.wait(for: "all 30 revocations", within: .seconds(60)) { seen in
                Set(seen.revocations.compactMap(\.jti)).isSuperset(of: expected) ? seen : nil
            }
            let seqs = seen.revocations.map(\.seq).firstAppearances
            #expect(seqs == seqs.sorted())
            #expect(seqs.count == 30)
            #expect(Set(seen.revocations.compactMap(\.jti)) == expected)
        }
    }
}
