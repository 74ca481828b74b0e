/// Exponential backoff between reconnection attempts: `initial`, doubled after each failure up
/// to `maximum`, back to `initial` after a success.
public struct RedisBackoff: Sendable, Hashable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration

    /// Creates a backoff policy.
    public init(initial: Duration = .milliseconds(50), maximum: Duration = .seconds(2)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay after `failures` consecutive failures (1 for the first).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initial
        for _ in 1..<max(failures, 1) where delay < maximum {
            delay *= 2
        }
        return min(delay, maximum)
    }
}
