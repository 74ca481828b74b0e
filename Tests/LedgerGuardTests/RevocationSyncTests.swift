import LedgerDomain
import LedgerGuard
import Testing

/// The subscriber's decisions without I/O, fed only verified messages: when to catch up (a
/// `prev_seq` or heartbeat `seq` above the last applied seq, a reconnect), and when the list is
/// fresh (the signed `iat` of messages received in sync, capped at the local clock, or the time
/// of a catch-up). Times are unix milliseconds.
@Suite("Revocation sync")
struct RevocationSyncTests {
    /// A whole second, unix milliseconds.
    static let start: Int64 = 1_767_225_600_000
    static let bound = Duration.seconds(10)

    /// A revocation logged as `seq` after `prev`, signed at `signed` (unix ms, whole seconds kept).
    static func revoked(
        _ seq: Int64, prev: Int64, _ scope: Revocation.Scope, _ id: String, notBefore: Int64? = nil, signed: Int64 = start
    ) -> BroadcastMessage {
        SubscriberFixture.message(
            SubscriberFixture.revocation(scope, id, notBefore: notBefore, until: start / 1000 + 3600), seq: seq, prevSeq: prev,
            iat: signed / 1000
        )
    }

    /// A heartbeat announcing `seq`, signed at `signed` (unix ms, whole seconds kept).
    static func heartbeat(_ seq: Int64, signed: Int64) -> BroadcastMessage {
        SubscriberFixture.heartbeat(seq: seq, iat: signed / 1000)
    }

    static func token(jti: String = "jti-x", grant: String = "grant-x") -> AccessToken {
        RevocationDenyListTests.token(jti: jti, grant: grant, iat: start / 1000)
    }

    /// In sync at `start` up to seq 9.
    static func synced() -> RevocationSync {
        var sync = RevocationSync()
        sync.caughtUp(items: [], head: 9, at: start)
        return sync
    }

    @Test("stale until the first catch-up; a connect asks for the snapshot; fresh until the bound passes")
    func startup() {
        var sync = RevocationSync()
        #expect(!sync.isFresh(at: Self.start, bound: Self.bound))
        #expect(sync.connected() == .catchUp(after: 0))
        // A heartbeat queued before the snapshot confirms nothing.
        #expect(sync.received(Self.heartbeat(0, signed: Self.start), at: Self.start) == .catchUp(after: 0))
        #expect(sync.confirmedAt == nil)
        sync.caughtUp(items: [Self.revoked(4, prev: 0, .grant, "g"), Self.heartbeat(4, signed: Self.start)], head: 9, at: Self.start)
        #expect(sync.denyList.lastAppliedSeq == 9)
        #expect(sync.denyList.count == 1)
        #expect(sync.denyList.isRevoked(Self.token(grant: "g")))
        #expect(!sync.needsCatchUp)
        #expect(sync.confirmedAt == Self.start)
        #expect(sync.isFresh(at: Self.start + 10_000, bound: Self.bound))
        #expect(!sync.isFresh(at: Self.start + 10_001, bound: Self.bound))
        #expect(sync.received(Self.heartbeat(9, signed: Self.start + 9_000), at: Self.start + 9_000) == .none)
        #expect(sync.confirmedAt == Self.start + 9_000)
        #expect(sync.isFresh(at: Self.start + 19_000, bound: Self.bound))
        #expect(!sync.isFresh(at: Self.start + 19_001, bound: Self.bound))
    }

    @Test("a revocation whose prev_seq is above the last applied seq reveals a missed one: catch up, apply nothing, freeze freshness")
    func prevSeqGap() {
        var sync = Self.synced()
        let missed = Self.revoked(12, prev: 9, .token, "jti-missed")
        let next = Self.revoked(15, prev: 12, .grant, "grant-next", signed: Self.start + 1_000)
        #expect(sync.received(next, at: Self.start + 1_000) == .catchUp(after: 9))
        #expect(sync.needsCatchUp)
        #expect(sync.denyList.lastAppliedSeq == 9)
        #expect(sync.denyList.count == 0)
        #expect(sync.confirmedAt == Self.start)
        // Until the gap is closed nothing confirms the list, not even a heartbeat it has covered.
        #expect(sync.received(Self.revoked(18, prev: 15, .token, "jti-later", signed: Self.start + 2_000), at: Self.start + 2_000) == .catchUp(after: 9))
        #expect(sync.received(Self.heartbeat(9, signed: Self.start + 3_000), at: Self.start + 3_000) == .catchUp(after: 9))
        #expect(sync.confirmedAt == Self.start)
        #expect(!sync.isFresh(at: Self.start + 10_001, bound: Self.bound))

        sync.caughtUp(items: [missed, next], head: 16, at: Self.start + 11_000)
        #expect(!sync.needsCatchUp)
        #expect(sync.denyList.lastAppliedSeq == 16)
        #expect(sync.denyList.isRevoked(Self.token(jti: "jti-missed")))
        #expect(sync.denyList.isRevoked(Self.token(grant: "grant-next")))
        #expect(sync.confirmedAt == Self.start + 11_000)
        // The queued message after the gap now follows on and applies.
        #expect(sync.received(Self.revoked(18, prev: 15, .token, "jti-later", signed: Self.start + 12_000), at: Self.start + 12_000) == .none)
        #expect(sync.denyList.lastAppliedSeq == 18)
        #expect(sync.denyList.isRevoked(Self.token(jti: "jti-later")))
        #expect(sync.confirmedAt == Self.start + 12_000)
    }

    @Test("a revocation whose prev_seq is at or below the last applied seq applies and confirms; a duplicate changes nothing")
    func prevSeqInOrder() {
        var sync = Self.synced()
        #expect(sync.received(Self.revoked(12, prev: 9, .token, "jti-a", signed: Self.start + 1_000), at: Self.start + 1_000) == .none)
        #expect(sync.denyList.lastAppliedSeq == 12)
        #expect(sync.denyList.isRevoked(Self.token(jti: "jti-a")))
        #expect(sync.confirmedAt == Self.start + 1_000)
        // A catch-up's head can lie past the previous revocation (other events follow it in the log).
        sync.caughtUp(items: [], head: 20, at: Self.start + 2_000)
        #expect(sync.received(Self.revoked(23, prev: 12, .token, "jti-b", signed: Self.start + 3_000), at: Self.start + 3_000) == .none)
        #expect(sync.denyList.lastAppliedSeq == 23)
        #expect(sync.denyList.isRevoked(Self.token(jti: "jti-b")))
        // Delivered again (at least once): ignored.
        let before = sync.denyList
        #expect(sync.received(Self.revoked(12, prev: 9, .token, "jti-a", signed: Self.start + 4_000), at: Self.start + 4_000) == .none)
        #expect(sync.received(Self.revoked(23, prev: 12, .token, "jti-c", signed: Self.start + 4_000), at: Self.start + 4_000) == .none)
        #expect(sync.denyList == before)
        #expect(!sync.denyList.isRevoked(Self.token(jti: "jti-c")))
    }

    @Test("a heartbeat above the last applied seq, or a reconnect, opens a gap that freezes freshness until caught up")
    func heartbeatGap() {
        var sync = Self.synced()
        #expect(sync.received(Self.heartbeat(12, signed: Self.start + 1_000), at: Self.start + 1_000) == .catchUp(after: 9))
        #expect(sync.received(Self.heartbeat(12, signed: Self.start + 5_000), at: Self.start + 5_000) == .catchUp(after: 9))
        #expect(sync.confirmedAt == Self.start)
        #expect(!sync.isFresh(at: Self.start + 10_001, bound: Self.bound))
        sync.caughtUp(items: [Self.revoked(12, prev: 9, .token, "j")], head: 13, at: Self.start + 12_000)
        #expect(sync.denyList.lastAppliedSeq == 13)
        #expect(sync.denyList.isRevoked(Self.token(jti: "j")))
        #expect(sync.isFresh(at: Self.start + 12_000, bound: Self.bound))
        #expect(sync.received(Self.heartbeat(13, signed: Self.start + 13_000), at: Self.start + 13_000) == .none)
        #expect(sync.confirmedAt == Self.start + 13_000)

        // A lost connection: what arrives meanwhile is applied, but confirms nothing until the catch-up.
        sync.disconnected()
        #expect(sync.received(Self.revoked(15, prev: 12, .token, "k", signed: Self.start + 14_000), at: Self.start + 14_000) == .catchUp(after: 15))
        #expect(sync.denyList.isRevoked(Self.token(jti: "k")))
        #expect(sync.received(Self.heartbeat(15, signed: Self.start + 15_000), at: Self.start + 15_000) == .catchUp(after: 15))
        #expect(sync.confirmedAt == Self.start + 13_000)
        #expect(!sync.isFresh(at: Self.start + 23_001, bound: Self.bound))
        #expect(sync.connected() == .catchUp(after: 15))
        sync.caughtUp(items: [], head: 15, at: Self.start + 24_000)
        #expect(sync.isFresh(at: Self.start + 24_000, bound: Self.bound))
    }

    @Test("freshness follows the signed iat: an old one (a replayed heartbeat) does not extend it, and it never moves back")
    func oldIat() {
        var sync = Self.synced()
        #expect(sync.received(Self.heartbeat(9, signed: Self.start - 60_000), at: Self.start + 5_000) == .none)
        #expect(sync.confirmedAt == Self.start)
        #expect(!sync.isFresh(at: Self.start + 10_001, bound: Self.bound))
        // Delivered 5 s after signing: fresh for the bound after the signature, not after arrival.
        #expect(sync.received(Self.heartbeat(9, signed: Self.start + 3_000), at: Self.start + 8_000) == .none)
        #expect(sync.confirmedAt == Self.start + 3_000)
        #expect(sync.isFresh(at: Self.start + 13_000, bound: Self.bound))
        #expect(!sync.isFresh(at: Self.start + 13_001, bound: Self.bound))
        #expect(sync.received(Self.heartbeat(9, signed: Self.start + 1_000), at: Self.start + 9_000) == .none)
        #expect(sync.confirmedAt == Self.start + 3_000)
        // A revocation signed long ago applies (it is in the log) but does not extend freshness either.
        #expect(sync.received(Self.revoked(12, prev: 9, .token, "old", signed: Self.start - 60_000), at: Self.start + 9_500) == .none)
        #expect(sync.denyList.isRevoked(Self.token(jti: "old")))
        #expect(sync.confirmedAt == Self.start + 3_000)
    }

    @Test("an iat in the future is capped at the local clock")
    func futureIat() {
        var sync = Self.synced()
        #expect(sync.received(Self.heartbeat(9, signed: Self.start + 3_600_000), at: Self.start + 1_000) == .none)
        #expect(sync.confirmedAt == Self.start + 1_000)
        #expect(sync.isFresh(at: Self.start + 11_000, bound: Self.bound))
        #expect(!sync.isFresh(at: Self.start + 11_001, bound: Self.bound))
        #expect(sync.received(Self.revoked(12, prev: 9, .token, "f", signed: Self.start + 3_600_000), at: Self.start + 2_000) == .none)
        #expect(sync.confirmedAt == Self.start + 2_000)
        #expect(!sync.isFresh(at: Self.start + 12_001, bound: Self.bound))
    }

    @Test("a message carrying neither event changes nothing; pruning drops expired entries")
    func neitherAndPrune() {
        var sync = Self.synced()
        let empty = BroadcastMessage(
            iss: TestSigner.issuer, jti: "x", iat: (Self.start + 5_000) / 1000, seq: 50, prevSeq: 50, events: BroadcastMessage.Events()
        )
        #expect(sync.received(empty, at: Self.start + 5_000) == .none)
        #expect(sync.confirmedAt == Self.start)
        #expect(sync.denyList.lastAppliedSeq == 9)
        let until = Self.start / 1000 + 3600
        #expect(sync.received(Self.revoked(12, prev: 9, .token, "p"), at: Self.start) == .none)
        sync.prune(unixNow: until + 5, grace: 5)
        #expect(sync.denyList.count == 1)
        sync.prune(unixNow: until + 6, grace: 5)
        #expect(sync.denyList.count == 0)
        #expect(sync.denyList.lastAppliedSeq == 12)
    }
}
