import Foundation
import LedgerDomain
import LedgerGuard
import LedgerRedis
import LedgerTesting
import Logging
import Synchronization

/// A running kit against a ``FakeIssuer`` (the feed and JWKS) and a real Redis, with the test
/// in the relay's seat: it records revocations in the fake log, publishes them (or "loses"
/// them), and pumps heartbeats carrying the log's highest seq every 100 ms while not paused.
/// `before` prepares the fake issuer before the kit starts.
final class SubscriberFixture: Sendable {
    let issuer: FakeIssuer
    let signer: TestSigner
    let kit: LedgerGuard
    let channel: String
    private let publisher: RedisPublisher
    private let pumping = Atomic(true)

    private init(issuer: FakeIssuer, signer: TestSigner, kit: LedgerGuard, channel: String, publisher: RedisPublisher) {
        self.issuer = issuer
        self.signer = signer
        self.kit = kit
        self.channel = channel
        self.publisher = publisher
    }

    static func with(
        redisURL: String = TestEnvironment.redisURL, stalenessBound: Duration = .seconds(30), heartbeats: Bool = true,
        idleTimeout: Duration? = nil,
        before: @Sendable (FakeIssuer) throws -> Void = { _ in }, _ body: @Sendable (SubscriberFixture) async throws -> Void
    ) async throws {
        let signer = try await TestSigner()
        try await FakeIssuer.with([signer.jwk]) { issuer in
            var logger = Logger(label: "test.guard")
            logger.logLevel = .critical
            let channel = "test:revocations:\(UUID().uuidString)"
            var configuration = LedgerGuardConfiguration(
                issuer: TestSigner.issuer, audience: TestSigner.audience, clientID: FakeIssuer.clientID, clientSecret: FakeIssuer.clientSecret
            )
            configuration.redisURL = redisURL
            configuration.channel = channel
            configuration.jwksURL = issuer.jwksURL
            configuration.feedURL = issuer.baseURL + "/revocations"
            configuration.tokenURL = issuer.baseURL + "/token"
            configuration.stalenessBound = stalenessBound
            configuration.channelIdleTimeout = idleTimeout
            let kit = try LedgerGuard(configuration: configuration, logger: logger)
            let publisher = RedisPublisher(endpoint: try RedisEndpoint(url: redisURL), logger: logger)
            let fixture = SubscriberFixture(
                issuer: issuer, signer: signer, kit: kit, channel: channel, publisher: publisher
            )
            fixture.heartbeats(heartbeats)
            try before(issuer)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await kit.run() }
                group.addTask {
                    while !Task.isCancelled {
                        if fixture.pumping.load(ordering: .relaxed) { try? await fixture.heartbeat() }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
                defer { group.cancelAll() }
                try await body(fixture)
            }
            await publisher.close()
        }
    }

    /// Pauses or resumes the heartbeats.
    func heartbeats(_ on: Bool) { pumping.store(on, ordering: .relaxed) }

    /// Publishes a heartbeat with the fake log's highest seq.
    func heartbeat() async throws {
        let head = issuer.state.withLock(\.head)
        try await publish(RevocationMessage.heartbeat(seq: head, at: Instant(milliseconds: 0)))
    }

    /// Records a revocation in the fake log and, unless `lost`, publishes it.
    func revoke(_ message: RevocationMessage, lost: Bool = false) async throws {
        issuer.append(message)
        if !lost { try await publish(message) }
    }

    /// Publishes a message as the relay would.
    func publish(_ message: RevocationMessage) async throws {
        try await publishRaw(Array(JSONEncoder().encode(message)))
    }

    /// Publishes arbitrary bytes on the channel.
    func publishRaw(_ bytes: [UInt8]) async throws {
        _ = try await publisher.publish(channel: channel, message: bytes)
    }

    /// The next free seq of the fake log (seqs have gaps, as log seqs do).
    func nextSeq() -> Int64 { issuer.state.withLock(\.head) + 3 }

    /// A token with these identifiers, signed by the fake issuer.
    func token(jti: String = UUID().uuidString, grant: String = "grant-a", sid: String? = nil) async throws -> String {
        var claims = TestClaims()
        claims.jti = jti
        claims.grant_id = grant
        claims.sid = sid
        return try await signer.sign(claims)
    }

    /// The code the kit refuses `token` with, or nil.
    func refusal(_ token: String) async -> GuardError.Code? {
        await kit.validator.refusal(token)
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
