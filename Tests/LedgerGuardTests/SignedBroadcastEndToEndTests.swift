import Foundation
import LedgerDomain
import LedgerGuard
import LedgerTesting
import Testing

/// Attacks on the broadcast, end to end: the real service and relay over PostgreSQL and Redis,
/// the kit behind a tap where the test forges, tampers, replays and drops messages.
@Suite("signed broadcast end to end")
struct SignedBroadcastEndToEndTests {
    @Test("a forged message with seq = head + 1000 does not hide the real revocation after it")
    func forgedSeqAhead() async throws {
        try await TappedKitFixture.with { f in
            let client = try await f.live.register()
            let victim = try await f.live.token(client)
            #expect(await eventually { await f.live.refusal(victim) == nil })
            let head = f.state.lastAppliedSeq
            let rejected = f.state.rejectedMessages
            try await f.inject(try await makeForger(f).sign(Self.revocation(.client, client.id, seq: head + 1000, prev: head)))
            #expect(await eventually { f.state.rejectedMessages > rejected })
            #expect(f.state.lastAppliedSeq < head + 1000)

            // Had the forged seq been taken, the real message would pass for a duplicate, and with
            // heartbeats below the forged seq no catch-up would ever bring it in.
            let jti = try await f.live.kit.validator.validate(victim).jti
            try await f.live.revoke(#"{"jti":"\#(jti)"}"#)
            #expect(await eventually(timeout: .seconds(10)) { await f.live.refusal(victim) == .revoked })
        }
    }

    @Test("a forged client-wide revocation refuses no token; a tampered copy of a real message is ignored")
    func forgedAndTampered() async throws {
        try await TappedKitFixture.with { f in
            let (a, b) = (try await f.live.register(), try await f.live.register())
            let tokenA = try await f.live.token(a), tokenB = try await f.live.token(b)
            #expect(await eventually { await f.live.refusal(tokenA) == nil })
            let forger = try await makeForger(f)
            let head = f.state.lastAppliedSeq
            let rejected = f.state.rejectedMessages
            for forgery in [
                try await forger.sign(Self.revocation(.client, a.id, seq: head + 1, prev: head)),
                try TestSigner.forge(
                    header: ["alg": "none", "typ": TestSigner.broadcastType, "kid": forger.kid],
                    message: Self.revocation(.client, a.id, seq: head + 1, prev: head)
                ),
                try await forger.signHS256(Self.revocation(.client, a.id, seq: head + 1, prev: head)),
            ] {
                try await f.inject(forgery)
            }
            #expect(await eventually { f.state.rejectedMessages >= rejected + 3 })

            // The tap keeps the real revocation of A's token from the kit and sends a copy edited
            // to revoke B's token instead. Heartbeats are held back too: the next one would reveal
            // the gap and bring the real revocation in through the feed (in about a second, or
            // before the checks below on a slow machine).
            f.tap { _ in .drop }
            let jtiA = try await f.live.kit.validator.validate(tokenA).jti
            let jtiB = try await f.live.kit.validator.validate(tokenB).jti
            try await f.live.revoke(#"{"jti":"\#(jtiA)"}"#)
            let real = try await eventuallyValue { f.relayed.last { $0.jti == jtiA } }
            var edited = real.claims
            edited.events.revoked?.jti = jtiB
            try await f.inject(try TestSigner.tamper(real.compact, with: edited))
            #expect(await eventually { f.state.rejectedMessages >= rejected + 4 })

            try await Task.sleep(for: .milliseconds(300))
            #expect(await f.live.refusal(tokenB) == nil)
            #expect(await f.live.refusal(tokenA) == nil, "the real message was dropped by the tap")
            #expect(f.state.lastAppliedSeq < real.seq)
            // The genuine one goes through.
            try await f.inject(real.compact)
            #expect(await eventually { await f.live.refusal(tokenA) == .revoked })
            #expect(await f.live.refusal(tokenB) == nil)
        }
    }

    @Test("a message dropped between relay and kit is recovered through prev_seq and the feed, without a heartbeat")
    func missedMessage() async throws {
        try await TappedKitFixture.with { f in
            let client = try await f.live.register()
            let (lost, next) = (try await f.live.token(client), try await f.live.token(client))
            #expect(await eventually { await f.live.refusal(lost) == nil })
            let (lostJTI, nextJTI) = (try await f.live.kit.validator.validate(lost).jti, try await f.live.kit.validator.validate(next).jti)
            // No heartbeat reaches the kit from here on, nor the revocation of `lost`.
            f.tap { $0.revoked == nil || $0.jti == lostJTI ? .drop : .forward }
            try await f.live.revoke(#"{"jti":"\#(lostJTI)"}"#)
            _ = try await eventuallyValue { f.relayed.last { $0.jti == lostJTI } }
            try await Task.sleep(for: .milliseconds(200))
            #expect(await f.live.refusal(lost) == nil, "dropped: not applied yet")

            // No heartbeat and no idle timeout: only the next message's prev_seq can reveal the gap.
            try await f.live.revoke(#"{"jti":"\#(nextJTI)"}"#)
            #expect(await eventually(timeout: .seconds(10)) { await f.live.refusal(next) == .revoked })
            #expect(await f.live.refusal(lost) == .revoked)
        }
    }

    @Test("replayed heartbeats while the relay is stopped keep nobody fresh: the kit turns stale on time")
    func replayedHeartbeat() async throws {
        try await TappedKitFixture.with(stalenessBound: .seconds(2)) { f in
            let token = try await f.live.token(try await f.live.register())
            #expect(await eventually { await f.live.refusal(token) == nil })
            let heartbeat = try await eventuallyValue { f.relayed.last { $0.claims.events.heartbeat != nil } }
            f.relay(running: false)
            let stopped = ContinuousClock.now
            let replay = Task {
                while !Task.isCancelled {
                    try await f.inject(heartbeat.compact)
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            defer { replay.cancel() }
            // Stale within the bound (2 s) plus the last heartbeat interval and the second the signed
            // iat is rounded to, and staying so while the replays go on.
            try await Task.sleep(until: stopped + .seconds(5))
            #expect(await f.live.refusal(token) == .revocationsStale)
            try await Task.sleep(for: .seconds(1))
            #expect(await f.live.refusal(token) == .revocationsStale)
            replay.cancel()
            f.relay(running: true)
            #expect(await eventually { await f.live.refusal(token) == nil })
        }
    }

    static func revocation(_ scope: LedgerDomain.Revocation.Scope, _ id: String, seq: Int64, prev: Int64) -> BroadcastMessage {
        let now = Instant.current()
        let revocation = LedgerDomain.Revocation(
            scope: scope, identifier: id, notBefore: now.adding(.seconds(3600)), until: now.adding(.seconds(3600)), reason: .admin
        )
        return BroadcastMessage(
            revocation: revocation, seq: seq, prevSeq: prev, occurredAt: now, issuer: LiveStack.issuer, jti: UUID().uuidString, signedAt: now
        )
    }
}

/// A signer with a key of its own under the stack's real `kid`: whatever it signs is a forgery.
private func makeForger(_ f: TappedKitFixture) async throws -> TestSigner {
    try await TestSigner(kid: try #require(await f.live.stack.services.keys.signingKeyID).rawValue)
}

/// Polls `value` every 20 ms until it is not nil, failing after 30 s.
private func eventuallyValue<T>(_ value: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if let found = try await value() { return found }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw FixtureError("value did not appear within 30 s")
}
