import ArgumentParser
import AsyncHTTPClient
import Foundation
import LedgerDomain
import LedgerGuard
import LedgerHTTP
import LedgerTesting
import Logging
import LedgerService

/// `tokenledger-bench guard-propagation`: how long a revocation takes to reach a resource
/// server. The live stack, the relay (publishing the log to Redis) and a kit subscribed to the
/// channel run in this process; for each of N access tokens, the admin API revokes its `jti`
/// and the clock runs from the moment that call returned (the event is committed) until the
/// kit's deny-list covers the token. Sequential, one revocation at a time.
struct GuardPropagationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-propagation", abstract: "Revoke call returned → entry in the kit's deny-list: p50/p99/max."
    )

    @Option(help: "Revocations to time.")
    var revocations = 1_000

    @Flag(help: "A few-second run for CI.")
    var smoke = false

    func run() async throws {
        let count = smoke ? 20 : revocations
        print("guard-propagation: \(count) revocations (jti), one at a time; relay, Redis and kit in this process")
        var logger = Logger(label: "bench.guard")
        logger.logLevel = .error
        let quiet = logger
        try await TestDatabase.withLedger(poolSize: 20) { ledger in
            try await BenchStack.with(ledger) { stack in
                try await Self.measure(stack: stack, count: count, logger: quiet)
            }
        }
    }

    private static func measure(stack: BenchStack, count: Int, logger: Logger) async throws {
        let http = HTTPClient.shared
        let channel = "bench:guard:\(UUID().uuidString)"
        let reader = try await stack.registerClient(http, scope: "revocations:read")
        let kit = try LedgerGuard(
            configuration: stack.live.guardConfiguration(clientID: reader.id, clientSecret: reader.secret, channel: channel), logger: logger
        )
        let relay = try stack.live.relay(channel: channel, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run() }
            group.addTask { try await kit.run() }
            defer { group.cancelAll() }

            let client = try await stack.registerClient(http)
            var tokens: [AccessToken] = []
            for _ in 0..<count {
                let response = try await stack.token(http, client: client, ["grant_type": "client_credentials", "scope": "openid"])
                guard let token = response["access_token"] as? String else { throw BenchError("no access token issued") }
                tokens.append(try await Self.validate(token, kit: kit))
            }

            let clock = ContinuousClock()
            var fromReturn: [Double] = []
            var fromSend: [Double] = []
            var alreadyThere = 0
            for token in tokens {
                let sent = clock.now
                try await stack.admin(http, "/admin/revocations", json: #"{"jti":"\#(token.jti)"}"#)
                let returned = clock.now
                if kit.revocations.isRevoked(token) { alreadyThere += 1 }
                while !kit.revocations.isRevoked(token) {
                    guard clock.now - returned < .seconds(30) else { throw BenchError("revocation of a token not seen within 30 s") }
                    try await Task.sleep(for: .microseconds(50))
                }
                let seen = clock.now
                fromReturn.append((seen - returned).seconds)
                fromSend.append((seen - sent).seconds)
            }
            let ms = { (s: Double) in String(format: "%.2f ms", s * 1000) }
            for (name, latencies) in [("revoke returned → in deny-list", fromReturn), ("revoke sent → in deny-list", fromSend)] {
                let result = LoadResult(name: name, operations: latencies.count, failures: 0, seconds: 0, latencies: latencies)
                print("\(name), \(latencies.count) revocations: p50 \(ms(result.percentile(0.5))), p99 \(ms(result.percentile(0.99))), max \(ms(result.percentile(1)))")
            }
            print("already in the deny-list when the revoke call returned: \(alreadyThere) of \(tokens.count)")
            print("kit: \(kit.revocations.rejectedMessages) messages rejected")
        }
        try await Self.signingCost(stack: stack, messages: max(count, 200), logger: logger)
    }

    /// What signing (relay) and verifying (kit) one broadcast message costs, one at a time.
    private static func signingCost(stack: BenchStack, messages: Int, logger: Logger) async throws {
        let signer = KeyRingBroadcastSigner(issuer: LiveStack.issuer, keys: stack.live.services.keys)
        let verifier = BroadcastVerifier(
            issuer: LiveStack.issuer, jwks: JWKSCache(url: stack.live.publicURL + "/jwks.json", logger: logger)
        )
        let now = Instant.current()
        let revocation = Revocation(scope: .grant, identifier: "bench-grant", until: now.adding(.seconds(600)), reason: .admin)
        let clock = ContinuousClock()
        var signed: [String] = []
        let signing = try await clock.measure {
            for seq in 1...messages {
                let message = BroadcastMessage(
                    revocation: revocation, seq: Int64(seq), prevSeq: Int64(seq - 1), occurredAt: now, issuer: LiveStack.issuer,
                    jti: LedgerID.make(at: now), signedAt: now
                )
                signed.append(try await signer.sign(message))
            }
        }
        _ = try await verifier.verify(signed[0])  // the JWKS fetch
        let verifying = try await clock.measure {
            for compact in signed { _ = try await verifier.verify(compact) }
        }
        let perMessage = { (total: Duration) in String(format: "%.1f µs", total.seconds * 1_000_000 / Double(messages)) }
        print("per message (\(messages), ES256): signing \(perMessage(signing)), verifying \(perMessage(verifying))")
    }

    /// Waits until the kit is in sync (it refuses everything before), then validates `token`.
    private static func validate(_ token: String, kit: LedgerGuard) async throws -> AccessToken {
        let deadline = ContinuousClock.now + .seconds(30)
        while !kit.revocations.isFresh {
            guard ContinuousClock.now < deadline else { throw BenchError("the kit did not catch up within 30 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await kit.validator.validate(token)
    }
}
