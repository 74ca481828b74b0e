import Foundation
import LedgerDomain
import LedgerGuard
import LedgerTesting
import Testing

/// The subscriber against real Redis and a stand-in feed: snapshot at startup, live
/// messages, catch-up after gaps and disconnects, failing closed when stale, and garbage.
@Suite("Revocation subscriber")
struct RevocationSubscriberTests {
    static let future = Int64(Date().timeIntervalSince1970) + 3600

    @Test("startup snapshot, live revocations, and revocations missed on the channel caught up after a heartbeat")
    func snapshotLiveAndGaps() async throws {
        let startup = try RevocationDenyListTests.revoked(3, .grant, "grant-old", until: Self.future)
        try await SubscriberFixture.with { f in
            f.issuer.append(startup)
            let old = try await f.token(grant: "grant-old")
            let other = try await f.token()
            #expect(await eventually { await f.refusal(other) == nil })
            #expect(await f.refusal(old) == .revoked)

            let live = UUID().uuidString
            let liveToken = try await f.token(jti: live)
            #expect(await f.refusal(liveToken) == nil)
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .token, live, until: Self.future))
            #expect(await eventually { await f.refusal(liveToken) == .revoked })

            let fetches = f.issuer.feedFetches
            let sessionToken = try await f.token(sid: "sid-lost")
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .session, "sid-lost", until: Self.future), lost: true)
            #expect(await eventually { await f.refusal(sessionToken) == .revoked })
            #expect(f.issuer.feedFetches > fetches)
            #expect(await f.refusal(other) == nil)
        }
    }

    @Test("the startup snapshot follows the feed's pages to the end")
    func paging() async throws {
        let grants = (0..<7).map { "grant-page-\($0)" }
        let messages = try grants.enumerated().map { i, grant in
            try RevocationDenyListTests.revoked(Int64(10 + 2 * i), .grant, grant, until: Self.future)
        }
        // No heartbeats: only the catch-up on connect can bring the revocations in.
        try await SubscriberFixture.with(heartbeats: false, before: { issuer in
            issuer.state.withLock { $0.pageSize = 2 }
            for message in messages { issuer.append(message) }
        }) { f in
            let other = try await f.token()
            #expect(await eventually { await f.refusal(other) == nil })
            for grant in grants { #expect(await f.refusal(try await f.token(grant: grant)) == .revoked, "\(grant)") }
            #expect(f.issuer.feedFetches >= 4)
        }
    }

    @Test("malformed or forged messages on the channel are ignored; the kit keeps working")
    func garbage() async throws {
        try await SubscriberFixture.with { f in
            let token = try await f.token(grant: "grant-after-garbage")
            #expect(await eventually { await f.refusal(token) == nil })
            let garbage: [[UInt8]] = [
                [], Array("not json".utf8), Array("{}".utf8), Array("[1,2,3]".utf8), Array("null".utf8),
                Array(#"{"v":2,"type":"revoked","seq":99999,"scope":"grant","grant_id":"grant-after-garbage","until":9999999999,"at":1}"#.utf8),
                Array(#"{"v":1,"type":"revoked","seq":"x","scope":"token","jti":"a","until":1,"at":1}"#.utf8),
                Array(#"{"v":1,"type":"exploded","seq":5,"at":1}"#.utf8),
                Array(#"{"v":1,"type":"revoked","seq":99998,"scope":"subject","sub":"alice","until":9999999999,"at":1}"#.utf8),
                Array(#"{"v":1,"type":"heartbeat","at":1}"#.utf8),
                Array(repeating: UInt8(ascii: "a"), count: 200_000), [0xFF, 0xFE, 0x00, 0x7B],
                Array(#"{"v":1,"type":"revoked","seq":12,"scope":"token","jti":"\#(String(repeating: "z", count: 100))","until":9999999999,"at":1e400}"#.utf8),
            ]
            for bytes in garbage { try await f.publishRaw(bytes) }
            #expect(await f.refusal(token) == nil)
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .grant, "grant-after-garbage", until: Self.future))
            #expect(await eventually { await f.refusal(token) == .revoked })
            #expect(f.kit.revocations.isFresh)

            // A well-formed forgery with a seq far ahead is applied at first, then undone: the next
            // heartbeat is below it, the feed's head proves it is not in the log, and the list is
            // rebuilt from a snapshot. Real revocations keep flowing afterwards.
            let victim = try await f.token(grant: "grant-victim")
            #expect(await f.refusal(victim) == nil)
            try await f.publish(try RevocationDenyListTests.revoked(1_000_000_000, .grant, "grant-victim", until: Self.future))
            #expect(await eventually { await f.refusal(victim) == .revoked })
            #expect(await eventually { await f.refusal(victim) == nil })
            #expect(await f.refusal(token) == .revoked)
            let later = try await f.token(grant: "grant-later")
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .grant, "grant-later", until: Self.future))
            #expect(await eventually { await f.refusal(later) == .revoked })
        }
    }

    @Test("without heartbeats, or while a gap cannot be caught up, the kit fails closed; it recovers by itself")
    func staleness() async throws {
        try await SubscriberFixture.with(stalenessBound: .seconds(1)) { f in
            let token = try await f.token()
            #expect(await eventually { await f.refusal(token) == nil })
            f.heartbeats(false)
            #expect(await eventually { await f.refusal(token) == .revocationsStale })
            f.heartbeats(true)
            #expect(await eventually { await f.refusal(token) == nil })

            // Heartbeats keep coming, but they reveal a gap the feed cannot fill.
            f.issuer.state.withLock { $0.feedDown = true }
            let lost = try await f.token(grant: "grant-lost")
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .grant, "grant-lost", until: Self.future), lost: true)
            #expect(await eventually { await f.refusal(token) == .revocationsStale })
            f.issuer.state.withLock { $0.feedDown = false }
            #expect(await eventually { await f.refusal(token) == nil })
            #expect(await eventually { await f.refusal(lost) == .revoked })
        }
    }

    @Test("a channel silent past the idle timeout is taken as lost: the kit reconnects and catches up")
    func silentChannel() async throws {
        try await SubscriberFixture.with(heartbeats: false, idleTimeout: .milliseconds(300)) { f in
            let token = try await f.token(grant: "grant-silent")
            #expect(await eventually { await f.refusal(token) == nil })
            // Never published, no heartbeat reveals it: only a reconnect's catch-up can find it.
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .grant, "grant-silent", until: Self.future), lost: true)
            #expect(await eventually { await f.refusal(token) == .revoked })
        }
    }

    @Test("a subscriber whose Redis went away converges by catch-up after reconnecting")
    func disconnected() async throws {
        let redis = try await PrivateRedisServer.start()
        defer { redis.stop() }
        try await SubscriberFixture.with(redisURL: redis.url) { f in
            let token = try await f.token(jti: "jti-while-down")
            #expect(await eventually { await f.refusal(token) == nil })
            let feedFetches = f.issuer.feedFetches
            redis.stop()
            try await f.revoke(try RevocationDenyListTests.revoked(f.nextSeq(), .token, "jti-while-down", until: Self.future), lost: true)
            try await redis.start()
            #expect(await eventually { await f.refusal(token) == .revoked })
            #expect(f.issuer.feedFetches > feedFetches)
        }
    }
}
