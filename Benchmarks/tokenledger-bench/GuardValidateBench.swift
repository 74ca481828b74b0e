import ArgumentParser
import Foundation
import LedgerDomain
import LedgerGuard
import LedgerHTTP
import LedgerTesting
import Logging
import LedgerService

/// `tokenledger-bench guard-validate`: the resource-server kit's validation throughput on one
/// task (one core): ES256 access tokens signed by the real key ring, keys fetched from the live
/// stack's `/jwks.json`. *Cached*: tokens seen before (one lock, one hash lookup, expiry,
/// deny-list and staleness checks). *Uncached*: the cache is cleared before every call, so each
/// validation parses the header, looks the key up and verifies the ES256 signature.
struct GuardValidateBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard-validate", abstract: "LedgerGuard validations/s on one task: cached and uncached (ES256)."
    )

    @Option(help: "Seconds per phase.")
    var seconds = 10

    @Option(help: "Distinct tokens validated in rotation.")
    var tokens = 1_000

    @Option(help: "Revocations in the deny-list while measuring.")
    var revocations = 10_000

    @Flag(help: "A few-second run for CI.")
    var smoke = false

    func run() async throws {
        let duration = Duration.seconds(smoke ? 1 : seconds)
        let (count, revocations) = (smoke ? 50 : tokens, revocations)
        print("guard-validate: ES256, \(count) distinct tokens, \(revocations) deny-list entries, \(duration.seconds) s per phase, one task")
        try await TestDatabase.withLedger { ledger in
            try await BenchStack.with(ledger) { stack in
                var logger = Logger(label: "bench.guard")
                logger.logLevel = .error
                let validator = AccessTokenValidator(
                    rules: AccessTokenRules(issuer: LiveStack.issuer, audience: LiveStack.issuer),
                    jwks: JWKSCache(url: stack.publicURL + "/jwks.json", logger: logger),
                    revocations: RevocationState(stalenessBound: .seconds(3600))
                )
                Self.prime(validator.revocations, entries: revocations)
                let tokens = try await Self.mint(count, keys: stack.services.keys)
                for token in tokens { _ = try await validator.validate(token) }

                let cached = try await Self.measure("cached", duration: duration, tokens: tokens) { try await validator.validate($0) }
                let uncached = try await Self.measure("uncached", duration: duration, tokens: tokens) {
                    validator.clearCache()
                    return try await validator.validate($0)
                }
                if smoke, cached == 0 || uncached == 0 { throw ExitCode(1) }
            }
        }
    }

    /// A deny-list of the given size that covers none of the benchmark's tokens, in sync.
    private static func prime(_ state: RevocationState, entries: Int) {
        let now = Instant.current()
        let items = (0..<entries).map { seq in
            let revocation = Revocation(scope: .token, identifier: "revoked-\(seq)", until: now.adding(.seconds(3600)), reason: .admin)
            return BroadcastMessage(
                revocation: revocation, seq: Int64(seq + 1), prevSeq: Int64(seq), occurredAt: now, issuer: "bench", jti: "\(seq)", signedAt: now
            )
        }
        state.update { $0.caughtUp(items: items, head: Int64(entries), at: now.milliseconds) }
    }

    /// Access tokens signed by the stack's key ring, as the token endpoint signs them.
    private static func mint(_ count: Int, keys: KeyRing) async throws -> [String] {
        let now = Instant.current()
        var tokens: [String] = []
        for _ in 0..<count {
            let claims = AccessTokenClaims(
                issuer: LiveStack.issuer, audience: [LiveStack.issuer], grant: GrantID(UUID().uuidString), subject: Subject("bench-user"),
                client: ClientID("bench-client"), session: SessionID(UUID().uuidString), scope: Scope(["openid"]),
                jti: TokenID(UUID().uuidString), issuedAt: now, expiresAt: now.adding(.seconds(3600))
            )
            tokens.append(try await keys.sign(claims, type: "at+jwt"))
        }
        return tokens
    }

    /// Validates tokens in rotation on this one task for `duration`; prints and returns validations/s.
    private static func measure(
        _ name: String, duration: Duration, tokens: [String], _ validate: (String) async throws -> AccessToken
    ) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var operations = 0
        var elapsed = Duration.zero
        repeat {
            for _ in 0..<256 {
                _ = try await validate(tokens[operations % tokens.count])
                operations += 1
            }
            elapsed = clock.now - start
        } while elapsed < duration
        let perSecond = Double(operations) / elapsed.seconds
        print("\(name): \(operations) validations in \(String(format: "%.2f", elapsed.seconds)) s = \(String(format: "%.0f", perSecond))/s (\(String(format: "%.2f", 1e6 / perSecond)) µs each)")
        return perSecond
    }
}
