import LedgerDomain
import Synchronization

/// Slows password guessing (OWASP ASVS V2.2.1), per (username, client address): after
/// `maxFailures` attempts within `window` that did not succeed, further attempts for that pair
/// are refused without checking the password, for a delay that doubles with each further
/// lockout up to `maximumLockout`. Keyed on the pair, one attacker cannot lock a chosen user
/// out from everywhere, nor every user behind one proxy out.
///
/// An attempt is reserved before the password is checked (``reserve(_:now:)``), so concurrent
/// guesses cannot all pass the check while the first ~250 ms bcrypt runs; a success forgets
/// the pair. Eviction under memory pressure never drops a pair that is locked out: if only
/// locked pairs remain, new pairs are refused until some unlock.
///
/// State is in memory, per replica: with N replicas an attacker gets at most N times the
/// budget, and a restart forgets it. That is deliberate — it is a speed bump in front of
/// bcrypt, not an account lock, and keeps the login path free of database writes.
package final class LoginThrottle: Sendable {
    /// The thresholds.
    package struct Policy: Sendable, Hashable {
        /// Attempts within `window` that trigger a lockout.
        package var maxFailures = 5
        /// How far back attempts count.
        package var window: Duration = .seconds(300)
        /// The first lockout; each further one doubles it.
        package var baseLockout: Duration = .seconds(60)
        /// The longest lockout.
        package var maximumLockout: Duration = .seconds(3600)
        /// Pairs tracked at most (bounded memory).
        package var capacity = 50_000

        /// The defaults: 5 attempts in 5 minutes → 1 min, 2 min, 4 min, … up to 1 hour.
        package init() {}
    }

    /// What a login attempt may do.
    package enum Verdict: Sendable, Hashable {
        /// Check the password; report a success with ``succeeded(_:)``.
        case proceed
        /// Refused until then, without checking the password.
        case lockedUntil(Instant)
    }

    private struct Entry {
        var attempts: [Instant] = []
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

    /// The throttle key of `username` (case-insensitive) from `address` (nil when unknown).
    package static func key(username: String, address: String?) -> String {
        username.lowercased().prefix(256) + "\u{0}" + (address ?? "-")
    }

    /// Counts an attempt for `key` before its password is checked, locking the key once it
    /// reaches the threshold; refuses while the key is locked.
    package func reserve(_ key: String, now: Instant) -> Verdict {
        let policy = policy
        return entries.withLock { entries in
            if let until = entries[key]?.lockedUntil, until > now { return .lockedUntil(until) }
            if entries[key] == nil, entries.count >= policy.capacity {
                Self.prune(&entries, now: now, policy: policy)
                guard entries.count < policy.capacity else { return .lockedUntil(now.adding(policy.baseLockout)) }
            }
            var entry = entries[key] ?? Entry(lastSeen: now)
            let horizon = Instant(milliseconds: now.milliseconds - policy.window.milliseconds)
            entry.attempts = entry.attempts.filter { $0 > horizon } + [now]
            entry.lastSeen = now
            if entry.attempts.count >= policy.maxFailures {
                let factor = Int64(1) << Int64(min(entry.lockouts, 20))
                let delay = min(policy.baseLockout.milliseconds * factor, policy.maximumLockout.milliseconds)
                entry.lockedUntil = Instant(milliseconds: now.milliseconds + delay)
                entry.lockouts += 1
                entry.attempts = []
            }
            entries[key] = entry
            return .proceed
        }
    }

    /// Forgets `key` after a successful login.
    package func succeeded(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }

    /// Drops entries with nothing left to remember, then the least recently seen unlocked ones
    /// beyond half the capacity. A locked entry is never dropped.
    private static func prune(_ entries: inout [String: Entry], now: Instant, policy: Policy) {
        let horizon = Instant(milliseconds: now.milliseconds - policy.window.milliseconds)
        entries = entries.filter { $0.value.lastSeen > horizon || ($0.value.lockedUntil ?? now) > now }
        guard entries.count >= policy.capacity else { return }
        let unlocked = entries.filter { ($0.value.lockedUntil ?? now) <= now }
        let excess = entries.count - policy.capacity / 2
        for key in unlocked.sorted(by: { $0.value.lastSeen < $1.value.lastSeen }).prefix(excess).map(\.key) {
            entries.removeValue(forKey: key)
        }
    }
}
