import Foundation
import LedgerDomain
import PostgresNIO

/// How an aggregate's state is kept in the inline projections: which rows its events change,
/// and how to read its state and version back.
package protocol ProjectedAggregate: Aggregate {
    /// Every row appending `events` changes, given the state after them at `version`.
    static func projection(after state: Self, stream: StreamID, version: Int64, events: [Event]) throws(LedgerStoreError) -> ProjectionDelta
    /// A query answering one row `(version bigint, state text)` for the stream, or none.
    static func loadQuery(_ stream: StreamID) -> PostgresQuery
    /// When the state's row stops mattering (docs/storage.md); nil: as long as it exists.
    static func retainedUntil(_ state: Self) -> Instant?
    /// The type of the first event of a stream that has no row and lives in the log only; nil
    /// when every stream of the kind has its row while it matters. A stream without a row that
    /// starts with this event is folded from the log.
    static var logOnlyStartType: String? { get }
}

extension ProjectedAggregate {
    /// The folded state from the JSON text a projection stores (`state::text`).
    static func decodeState(_ json: String) throws(LedgerStoreError) -> Self {
        do {
            return try JSONDecoder().decode(Self.self, from: Data(json.utf8))
        } catch {
            throw LedgerStoreError(.encoding, "\(Self.self) state: \(error)")
        }
    }
}

extension ProjectedAggregate {
    /// Kept in `aggregates`: the event-driven rows plus the folded state.
    package static func projection(after state: Self, stream: StreamID, version: Int64, events: [Event]) throws(LedgerStoreError) -> ProjectionDelta {
        var delta = ProjectionDelta()
        for event in events { delta.merge(Projector.rows(for: event.ledgerEvent)) }
        delta.put(try Projector.aggregateRow(for: state, stream: stream, version: version, retainUntil: retainedUntil(state)))
        return delta
    }

    package static func retainedUntil(_ state: Self) -> Instant? { nil }

    package static var logOnlyStartType: String? { nil }

    package static func loadQuery(_ stream: StreamID) -> PostgresQuery {
        "SELECT version, state::text FROM aggregates WHERE stream_id = \(stream.description)"
    }
}

extension Grant: ProjectedAggregate {
    /// Kept in `grants`, with the columns grants are queried by.
    package static func projection(after state: Grant, stream: StreamID, version: Int64, events: [GrantEvent]) -> ProjectionDelta {
        Projector.delta(for: state, version: version, events: events)
    }

    package static func loadQuery(_ stream: StreamID) -> PostgresQuery {
        "SELECT version, state::text FROM grants WHERE grant_id = \(stream.id)"
    }

    package static func retainedUntil(_ state: Grant) -> Instant? { state.retainedUntil }

    /// Client credentials grants (``Grant/isLogOnly``).
    package static var logOnlyStartType: String? { GrantEvent.Kind.clientCredentialsIssued.rawValue }
}

extension Client: ProjectedAggregate {}
extension SigningKey: ProjectedAggregate {}
extension SubjectRevocations: ProjectedAggregate {}
extension Session: ProjectedAggregate {
    package static func retainedUntil(_ state: Session) -> Instant? { state.retainedUntil }
}

extension LoginFlow: ProjectedAggregate {
    package static func retainedUntil(_ state: LoginFlow) -> Instant? { state.retainedUntil }
}

extension Consent: ProjectedAggregate {}
