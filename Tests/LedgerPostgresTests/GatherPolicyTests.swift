@testable import LedgerPostgres
import Testing

@Suite("The writer waits for answered callers only while they come back")
struct GatherPolicyTests {
    @Test("no window, or a single caller answered: the next batch goes at once")
    func noWait() {
        var off = GatherPolicy(window: .zero)
        #expect(off.target(answered: 64, queued: 0) == nil)
        var on = GatherPolicy(window: .microseconds(150))
        #expect(on.target(answered: 1, queued: 5) == nil)
    }

    @Test("the wait is for every caller answered and every append already queued")
    func target() {
        var policy = GatherPolicy(window: .microseconds(150))
        #expect(policy.target(answered: 32, queued: 30) == 62)
    }

    @Test("waits that ran out skip 1, 2, 4 … batches up to the cap; a wait that filled resets")
    func backoff() {
        var policy = GatherPolicy(window: .microseconds(150), maxBackoff: 4)
        /// Batches sent at once before the policy waits again.
        func skippedBeforeNextWait() -> Int {
            var skipped = 0
            while policy.target(answered: 10, queued: 0) == nil { skipped += 1 }
            return skipped
        }
        #expect(policy.target(answered: 10, queued: 0) == 10)
        policy.record(queued: 9)  // 9 of 10 came back
        #expect(skippedBeforeNextWait() == 1)
        policy.record(queued: 0)
        #expect(skippedBeforeNextWait() == 2)
        policy.record(queued: 0)
        #expect(skippedBeforeNextWait() == 4)
        policy.record(queued: 0)
        #expect(skippedBeforeNextWait() == 4)
        policy.record(queued: 10)  // all came back
        #expect(policy.target(answered: 10, queued: 0) == 10)
        policy.record(queued: 1)
        #expect(skippedBeforeNextWait() == 1)
    }

    @Test("appends already queued before the wait do not count as callers coming back")
    func onlyReturnsCount() {
        var policy = GatherPolicy(window: .microseconds(150), maxBackoff: 8)
        #expect(policy.target(answered: 10, queued: 20) == 30)
        policy.record(queued: 29)
        #expect(policy.target(answered: 10, queued: 20) == nil)
        #expect(policy.target(answered: 10, queued: 20) == 30)
        policy.record(queued: 30)
        #expect(policy.target(answered: 10, queued: 20) == 30)
    }
}
