import LedgerDomain
import LedgerGuard
import Testing

/// The subscriber's decisions without I/O: when to catch up, when the list is fresh, and how a
/// forged sequence number is undone.
@Suite("Revocation sync")
struct RevocationSyncTests {
    static let start = ContinuousClock.now
    static let bound = Duration.seconds(10)

    static func heartbeat(_ seq: Int64) -> RevocationMessage { .heartbeat(seq: seq, at: Instant(milliseconds: 0)) }

    @Test("stale until the first catch-up; a connect asks for the snapshot; fresh until the bound passes")
    func startup() throws {
        var sync = RevocationSync()
        #expect(!sync.isFresh(at: Self.start, bound: Self.bound))
        #expect(sync.connected() == .catchUp(after: 0))
        #expect(sync.received(Self.heartbeat(0), at: Self.start) == .catchUp(after: 0))
        #expect(sync.caughtUp(items: [try RevocationDenyListTests.revoked(4, .grant, "g")], head: 9, at: Self.start) == .none)
        #expect(sync.denyList.lastAppliedSeq == 9)
        #expect(sync.isFresh(at: Self.start + Self.bound, bound: Self.bound))
        #expect(!sync.isFresh(at: Self.start + Self.bound + .milliseconds(1), bound: Self.bound))
        #expect(sync.received(Self.heartbeat(4), at: Self.start + .seconds(9)) == .none)
        #expect(sync.isFresh(at: Self.start + .seconds(19), bound: Self.bound))
    }

    @Test("a heartbeat above the last applied seq, or a reconnect, opens a gap that freezes freshness until caught up")
    func gaps() throws {
        var sync = RevocationSync()
        _ = sync.caughtUp(items: [], head: 9, at: Self.start)
        #expect(sync.received(Self.heartbeat(12), at: Self.start + .seconds(1)) == .catchUp(after: 9))
        #expect(sync.received(Self.heartbeat(12), at: Self.start + .seconds(5)) == .catchUp(after: 9))
        #expect(!sync.isFresh(at: Self.start + .seconds(11), bound: Self.bound))
        #expect(sync.caughtUp(items: [try RevocationDenyListTests.revoked(12, .token, "j")], head: 13, at: Self.start + .seconds(12)) == .none)
        #expect(sync.isFresh(at: Self.start + .seconds(12), bound: Self.bound))
        sync.disconnected()
        #expect(sync.received(try RevocationDenyListTests.revoked(15, .token, "k"), at: Self.start + .seconds(13)) == .none)
        #expect(!sync.isFresh(at: Self.start + .seconds(23), bound: Self.bound))
        #expect(sync.connected() == .catchUp(after: 15))
    }

    @Test("a forged seq far ahead is noticed at the next heartbeat and undone by a full snapshot")
    func forgedSeq() throws {
        var sync = RevocationSync()
        _ = sync.caughtUp(items: [], head: 9, at: Self.start)
        _ = sync.received(try RevocationDenyListTests.revoked(1_000_000, .subject, "alice", notBefore: 99_999_999_999), at: Self.start)
        #expect(sync.denyList.lastAppliedSeq == 1_000_000)
        #expect(sync.received(Self.heartbeat(9), at: Self.start) == .catchUp(after: 1_000_000))
        #expect(sync.caughtUp(items: [], head: 11, at: Self.start) == .catchUp(after: 0))
        // Until the snapshot is in, the old list keeps refusing (fail-safe).
        let alice = RevocationDenyListTests.token(sub: "alice", grant: "g")
        #expect(sync.denyList.isRevoked(alice))
        let real = try RevocationDenyListTests.revoked(10, .grant, "g")
        #expect(sync.caughtUp(items: [real], head: 11, at: Self.start) == .none)
        #expect(sync.denyList.count == 1)
        #expect(!sync.denyList.isRevoked(RevocationDenyListTests.token(sub: "alice", grant: "other")))
        #expect(sync.denyList.isRevoked(alice))
        #expect(sync.denyList.lastAppliedSeq == 11)
        #expect(sync.received(Self.heartbeat(10), at: Self.start) == .none)
    }
}
