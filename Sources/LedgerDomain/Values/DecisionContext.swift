/// Everything a decision needs from outside the aggregate: the current time and the
/// policies in force for the client involved. Time is an input; rules never read a clock.
public struct DecisionContext: Sendable {
    /// The time the command is decided at.
    public var now: Instant
    /// The lifetimes and grace window in force for the client involved.
    public var lifetimes: Lifetimes

    /// Creates a context.
    public init(now: Instant, lifetimes: Lifetimes = .standard) {
        self.now = now
        self.lifetimes = lifetimes
    }
}
