import Foundation
import LedgerDomain
import Synchronization

/// The revocation state shared between the subscriber, which writes it, and every validation,
/// which reads it under a lock without an actor hop.
public final class RevocationState: Sendable {
    /// How long the list may go without proof of being complete before validations fail closed.
    public let stalenessBound: Duration
    private let sync = Mutex(RevocationSync())
    private let rejected = Atomic<Int>(0)

    /// Creates an empty, not yet synchronized state: it refuses every token until the first catch-up.
    public init(stalenessBound: Duration) {
        self.stalenessBound = stalenessBound
    }

    /// Throws when the list is stale at `now` or a revocation covers `token`.
    public func check(_ token: AccessToken, at now: Date = Date()) throws(GuardError) {
        let unixMilliseconds = Self.milliseconds(now)
        let (fresh, revoked) = sync.withLock { ($0.isFresh(at: unixMilliseconds, bound: stalenessBound), $0.denyList.isRevoked(token)) }
        guard fresh else { throw GuardError(.revocationsStale, "revocation state not confirmed within \(stalenessBound)") }
        guard !revoked else { throw GuardError(.revoked, "token is revoked") }
    }

    /// Whether validations may rely on the list now.
    public var isFresh: Bool {
        let now = Self.milliseconds(Date())
        return sync.withLock { $0.isFresh(at: now, bound: stalenessBound) }
    }

    /// The highest revocation seq applied.
    public var lastAppliedSeq: Int64 { sync.withLock(\.denyList.lastAppliedSeq) }

    /// How many broadcast messages failed verification and were dropped.
    public var rejectedMessages: Int { rejected.load(ordering: .relaxed) }

    /// Whether a revocation covers `token`, regardless of freshness (for tests and benchmarks).
    public func isRevoked(_ token: AccessToken) -> Bool { sync.withLock { $0.denyList.isRevoked(token) } }

    /// Runs `body` on the synchronization state under the lock: the subscriber feeds its inputs
    /// through here, and tests drive it the same way.
    public func update<T>(_ body: (inout RevocationSync) -> T) -> T {
        sync.withLock { body(&$0) }
    }

    /// Counts a dropped message.
    func countRejected() {
        rejected.add(1, ordering: .relaxed)
    }

    /// Unix milliseconds of `date`.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
