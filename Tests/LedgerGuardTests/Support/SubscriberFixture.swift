import Foundation
import LedgerDomain
import LedgerGuard
import LedgerRedis
import LedgerTesting
import Logging
import Synchronization

/// A running kit against a ``FakeIssuer`` (the feed and JWKS) and a real Redis, with the test
/// in the relay's seat: it signs revocations (format v2: compact JWS, `typ: secevent+jwt`) with
/// the issuer's key, records them in the fake log with the right `prev_seq`, publishes them (or
/// "loses" them), and pumps signed heartbeats (`iat` = now) announcing the highest revocation
/// seq handed to the channel every 100 ms while not paused. `before` prepares the fixture
/// (e.g. ``record(_:)``) before the kit starts. `issuer` and `jwks` replace the kit's configured
/// issuer and the published keys (the fixture's own signing then no longer verifies).
final class SubscriberFixture: Sendable {
    let issuer: FakeIssuer
    let signer: TestSigner
    let kit: LedgerGuard
    let channel: String
    private let publisher: RedisClient
    private let pumping = Atomic(true)

    private init(issuer: FakeIssuer, signer: TestSigner, kit: LedgerGuard, channel: String, publisher: RedisClient) {
        self.issuer = issuer
        self.signer = signer
        self.kit = kit
        self.channel = channel
        self.publisher = publisher
    }

    static func with(
        redisURL: String = TestEnvironment.redisURL, stalenessBound: Duration = .seconds(30), heartbeats: Bool = true,
        idleTimeout: Duration? = nil, issuer expectedIssuer: String = TestSigner.issuer, jwks: [String]? = nil,
        before: @Sendable (SubscriberFixture) async throws -> Void = { _ in }, _ body: @Sendable (SubscriberFixture) async throws -> Void
    ) async throws {
        let signer = try await TestSigner()
        try await FakeIssuer.with(jwks ?? [signer.jwk]) { issuer in
            var logger = Logger(label: "test.guard")
            logger.logLevel = .critical
            let channel = "test:revocations:\(UUID().uuidString)"
            var configuration = LedgerGuardConfiguration(
                issuer: expectedIssuer, audience: TestSigner.audience, clientID: FakeIssuer.clientID, clientSecret: FakeIssuer.clientSecret
            )
            configuration.redisURL = redisURL
            configuration.channel = channel
            configuration.jwksURL = issuer.jwksURL
            configuration.feedURL = issuer.baseURL + "/revocations"
            configuration.tokenURL = issuer.baseURL + "/token"
            configuration.stalenessBound = stalenessBound
            configuration.channelIdleTimeout = idleTimeout
            let kit = try LedgerGuard(configuration: configuration, logger: logger)
            let publisher = RedisClient(endpoint: try RedisEndpoint(url: redisURL), logger: logger)
            let fixture = SubscriberFixture(
                issuer: issuer, signer: signer, kit: kit, channel: channel, publisher: publisher
            )
            fixture.heartbeats(heartbeats)
            try await before(fixture)
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

    /// Publishes a signed heartbeat, `iat` now, announcing the highest revocation seq handed to
    /// the channel (published or lost); returns it.
    @discardableResult
    func heartbeat() async throws -> String {
        let seq = issuer.state.withLock(\.announced)
        return try await publish(Self.heartbeat(seq: seq))
    }

    /// The message announcing `revocation` as the relay would send it next: seq ``nextSeq()``
    /// (unless given), `prev_seq` the newest revocation in the fake log (0 for the first), `iat` now.
    func message(_ revocation: Revocation, seq: Int64? = nil) -> BroadcastMessage {
        let (next, previous) = issuer.state.withLock { ($0.head + 3, $0.revocations.last?.seq ?? 0) }
        return Self.message(revocation, seq: seq ?? next, prevSeq: previous)
    }

    /// Signs `revocation` as the next message, records it in the fake log and, unless `lost`,
    /// publishes it; heartbeats announce it afterwards either way. Returns the claims.
    @discardableResult
    func revoke(_ revocation: Revocation, lost: Bool = false) async throws -> BroadcastMessage {
        let message = message(revocation)
        let compact = try await signer.sign(message)
        issuer.append(seq: message.seq, compact: compact, announce: false)
        if !lost { try await publishRaw(compact) }
        issuer.announce(message.seq)
        return message
    }

    /// Records `revocation` in the fake log without publishing it (as if logged before the kit
    /// started); returns the claims.
    @discardableResult
    func record(_ revocation: Revocation) async throws -> BroadcastMessage {
        try await revoke(revocation, lost: true)
    }

    /// Signs `message` with the issuer's key and publishes it; returns the compact JWS.
    @discardableResult
    func publish(_ message: BroadcastMessage) async throws -> String {
        let compact = try await signer.sign(message)
        try await publishRaw(compact)
        return compact
    }

    /// Publishes a text (e.g. a compact JWS) on the channel as is.
    func publishRaw(_ text: String) async throws {
        try await publishRaw(Array(text.utf8))
    }

    /// Publishes arbitrary bytes on the channel.
    func publishRaw(_ bytes: [UInt8]) async throws {
        _ = try await publisher.publish(channel: channel, message: bytes)
    }

    /// The next free seq of the fake log (seqs have gaps, as log seqs do).
    func nextSeq() -> Int64 { issuer.state.withLock(\.head) + 3 }

    /// A token with these identifiers, signed by the fake issuer.
    func token(
        jti: String = UUID().uuidString, grant: String = "grant-a", sid: String? = nil, sub: String = "alice", client: String = "client-a"
    ) async throws -> String {
        var claims = TestClaims()
        claims.jti = jti
        claims.grant_id = grant
        claims.sid = sid
        claims.sub = sub
        claims.client_id = client
        return try await signer.sign(claims)
    }

    /// The code the kit refuses `token` with, or nil.
    func refusal(_ token: String) async -> GuardError.Code? {
        await kit.validator.refusal(token)
    }
}

// MARK: Building broadcast messages

extension SubscriberFixture {
    /// An hour from now, unix seconds: an `until` that keeps entries through any test.
    static var future: Int64 { Int64(Date().timeIntervalSince1970) + 3600 }

    /// A revocation of `scope` and `identifier`; times are unix seconds (`notBefore` for the
    /// subject and client scopes).
    static func revocation(
        _ scope: Revocation.Scope, _ identifier: String, notBefore: Int64? = nil, until: Int64 = future, reason: RevocationReason = .admin
    ) -> Revocation {
        Revocation(
            scope: scope, identifier: identifier, notBefore: notBefore.map { Instant(seconds: $0) }, until: Instant(seconds: until),
            reason: reason
        )
    }

    /// The revocation of `scope` and `identifier` (see ``revocation(_:_:notBefore:until:reason:)``).
    static func revoked(
        _ scope: Revocation.Scope, _ identifier: String, notBefore: Int64? = nil, until: Int64 = future
    ) -> RevokedEvent {
        RevokedEvent(revocation(scope, identifier, notBefore: notBefore, until: until))
    }

    /// The message announcing `revocation` as log event `seq` after `prevSeq`, signed at `iat`
    /// (unix seconds, default now) by `issuer`.
    static func message(
        _ revocation: Revocation, seq: Int64, prevSeq: Int64, iat: Int64? = nil, issuer: String = TestSigner.issuer
    ) -> BroadcastMessage {
        let signedAt = iat.map { Instant(seconds: $0) } ?? Instant.current()
        return BroadcastMessage(
            revocation: revocation, seq: seq, prevSeq: prevSeq, occurredAt: signedAt, issuer: issuer, jti: UUID().uuidString,
            signedAt: signedAt
        )
    }

    /// A heartbeat announcing `seq`, signed at `iat` (unix seconds, default now).
    static func heartbeat(seq: Int64, iat: Int64? = nil) -> BroadcastMessage {
        .heartbeat(
            seq: seq, issuer: TestSigner.issuer, jti: UUID().uuidString, signedAt: iat.map { Instant(seconds: $0) } ?? Instant.current()
        )
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

/// Polls `condition` every 20 ms for `duration`; returns whether it held every time.
func throughout(_ duration: Duration, _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + duration
    repeat {
        guard try await condition() else { return false }
        try? await Task.sleep(for: .milliseconds(20))
    } while ContinuousClock.now < deadline
    return true
}
