/// What a `decide` function returns: the events to append, and whether the command itself
/// was refused. A refusal may still carry events (a replayed code is refused *and* revokes
/// its grant), which the shell appends before it answers with the refusal.
public struct Decision<Event: Sendable, Refusal: Error & Sendable>: Sendable {
    /// Events to append, in order. Empty when nothing changes.
    public var events: [Event]
    /// Set when the caller's request is refused.
    public var refusal: Refusal?
    /// Set when the command repeats one already answered and is answered as that one was,
    /// from what the shell kept of that answer (a refresh inside its grace window gets its
    /// winner's bytes, kept outside the log).
    public var replays: Bool

    /// Creates a decision.
    public init(events: [Event] = [], refusal: Refusal? = nil, replays: Bool = false) {
        self.events = events
        self.refusal = refusal
        self.replays = replays
    }

    /// A refusal that changes nothing.
    public static func refused(_ refusal: Refusal) -> Self { Self(events: [], refusal: refusal) }

    /// An accepted command with its events.
    public static func accepted(_ events: [Event]) -> Self { Self(events: events, refusal: nil) }
}
