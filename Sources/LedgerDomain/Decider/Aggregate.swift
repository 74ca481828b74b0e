/// A consistency boundary with its own stream: state folded from its events, and a pure
/// decision function. Grants, clients, signing keys and sessions are aggregates.
public protocol Aggregate: Sendable, Hashable, Codable {
    /// The events of this aggregate's streams.
    associatedtype Event: DomainEvent
    /// The requests it decides on.
    associatedtype Command: Sendable
    /// Why it refuses a command.
    associatedtype Failure: Error & Sendable

    /// Decides what `command` does given the current state (`nil`: the stream is empty).
    static func decide(_ command: Command, _ state: Self?, _ context: DecisionContext) -> Decision<Event, Failure>

    /// Applies one event to the state.
    static func evolve(_ state: Self?, _ event: Event) -> Self?
}

extension Aggregate {
    /// Folds events onto a state (from nothing by default).
    public static func fold<S: Sequence>(_ events: S, from state: Self? = nil) -> Self? where S.Element == Event {
        events.reduce(state, evolve)
    }
}
