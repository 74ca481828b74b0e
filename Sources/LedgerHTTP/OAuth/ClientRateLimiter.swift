import LedgerDomain
import Synchronization

/// Per-client rate limits on `/token`, `/introspect` and `/revoke`: a token bucket per client
/// id, refilled at `rate` requests per second up to `burst`. A refused request is answered
/// 429 with `Retry-After` before its use case runs, so nothing is appended. In memory, per
/// replica: with N replicas a client gets up to N times the rate.
package final class ClientRateLimiter: Sendable {
    /// The limit: `rate` requests per second, `burst` at once.
    package struct Policy: Sendable, Hashable {
        package var rate: Double
        package var burst: Int

        /// A policy of `rate` per second and `burst` at once (at least one).
        package init(rate: Double, burst: Int) {
            self.rate = rate
            self.burst = max(1, burst)
        }
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant

        /// The tokens at `now`: refilled at the policy's rate since `updated`, up to the burst.
        func refilled(at now: ContinuousClock.Instant, policy: Policy) -> Double {
            let elapsed = Double(max(0, (now - updated).milliseconds)) / 1000
            return min(Double(policy.burst), tokens + elapsed * policy.rate)
        }
    }

    private let policy: Policy
    private let buckets = Mutex<[String: Bucket]>([:])
    /// Buckets kept at most; full ones are dropped first (a full bucket is the same as none).
    private static let capacity = 100_000

    /// A limiter enforcing `policy` for every client.
    package init(policy: Policy) {
        self.policy = policy
    }

    /// Takes one request of `clientID` at `now`; nil when admitted, else how long until the
    /// next one would be.
    package func admit(_ clientID: String, now: ContinuousClock.Instant = .now) -> Duration? {
        let policy = policy
        return buckets.withLock { buckets in
            if buckets.count >= Self.capacity, buckets[clientID] == nil { Self.prune(&buckets, now: now, policy: policy) }
            var bucket = buckets[clientID] ?? Bucket(tokens: Double(policy.burst), updated: now)
            bucket.tokens = bucket.refilled(at: now, policy: policy)
            bucket.updated = now
            defer { buckets[clientID] = bucket }
            guard bucket.tokens >= 1 else {
                return .milliseconds(Int64(((1 - bucket.tokens) / policy.rate * 1000).rounded(.up)))
            }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Drops the buckets that have refilled completely.
    private static func prune(_ buckets: inout [String: Bucket], now: ContinuousClock.Instant, policy: Policy) {
        buckets = buckets.filter { _, bucket in bucket.refilled(at: now, policy: policy) < Double(policy.burst) }
    }
}
