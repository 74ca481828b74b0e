import LedgerDomain
import Synchronization

/// Slows password guessing (OWASP ASVS V2.2.1): after `maxFailures` failed
/// logins within `window` for one key (a username, or a client address), further attempts for
/// that key are refused without checking the password, for a delay that doubles with each
/// further lockout up to `maximumLockout`.
///
/// State is in memory, per replica: with N replicas an attacker gets at most N times the
/// budget, and a restart forgets it. That is deliberate — it is a speed bump in front of
/// bcrypt, not an account lock, and keeps the login path free of database writes.
package final class LoginThrottle: Sendable {
    /// The thresholds.
    package struct Policy: Sendable, Hashable {
        /// Failures within `window` that trigger a lockout.
        package var maxFailures = 5
        /// How far back failures count.
        package var window: Duration = .seconds(300)
        /// The first lockout; each further one doubles it.
        package var baseLockout: Duration = .seconds(60)
        /// The longest lockout.
        package var maximumLockout: Duration = .seconds(3600)
        /// Keys tracked at most; the oldest are forgotten beyond this (bounded memory).
        package var capacity = 50_000

        /// The defaults: 5 failures in 5 minutes → 1 min, 2 min, 4 min, … up to 1 hour.
        package init() {}
    }

    private struct Entry {
        var failures: [Instant] = []
        var lockouts = 0
        var lockedUntil: Instant?
        var lastSeen: Instant
    }

    private let policy: Policy
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates a throttle.
    package init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// When the first of `keys` that is locked out at `now` unlocks, or nil when none is.
    package func lockedUntil(_ keys: [String], now: Instant) -> Instant? {
        entries.withLock { entries in
            keys.compactMap { entries[$0]?.lockedUntil }.filter { $0 > now }.max()
        }
    }

    /// Records a failed attempt against every key, locking those that reach the threshold.
    package func recordFailure(_ keys: [String], now: Instant) {
        let policy = policy
        entries.withLock { entries in
            if entries.count >= policy.capacity { Self.prune(&entries, now: now, policy: policy) }
            for key in keys {
                var entry = entries[key] ?? Entry(lastSeen: now)
                let horizon = Instant(milliseconds: now.milliseconds - policy.window.milliseconds)
                entry.failures = entry.failures.filter { $0 > horizon } + [now]
                entry.lastSeen = now
                if entry.failures.count >= policy.maxFailures {
                    let factor = Int64(1) << Int64(min(entry.lockouts, 20))
                    let delay = min(policy.baseLockout.milliseconds * factor, policy.maximumLockout.milliseconds)
                    entry.lockedUntil = Instant(milliseconds: now.milliseconds + delay)
                    entry.lockouts += 1
                    entry.failures = []
                }
                entries[key] = entry
            }
        }
    }

    /// Forgets the failures of `key` (after a successful login with that username).
    package func recordSuccess(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Drops entries with nothing left to remember, then the least recently seen beyond capacity.
    private static func prune(_ entries: inout [String: Entry], now: Instant, policy: Policy) {
        let horizon = Instant(milliseconds: now.milliseconds - policy.window.milliseconds - policy.maximumLockout.milliseconds)
        entries = entries.filter { $0.value.lastSeen > horizon || ($0.value.lockedUntil ?? now) > now }
        guard entries.count >= policy.capacity else { return }
        let excess = entries.count - policy.capacity / 2
        for key in entries.sorted(by: { $0.value.lastSeen < $1.value.lastSeen }).prefix(excess).map(\.key) {
            entries.removeValue(forKey: key)
        }
    }
}
