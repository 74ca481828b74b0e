import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// OP sessions (`session/<sid>` streams): their folded state in `aggregates`, found by id or
/// by subject (index `aggregates_session_subject`, migration 0006). Every replica reads the
/// same rows, so a login on one replica is a session on all of them.
package struct SessionStore: Sendable {
    /// What running a session command produced.
    package typealias Outcome = AggregateStore<Session>.Outcome

    private let store: AggregateStore<Session>

    /// Creates a store over a running client and writer.
    package init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        store = AggregateStore(client: client, writer: writer, logger: logger)
    }

    /// A session by id, active or not.
    package func load(_ id: SessionID) async throws(LedgerStoreError) -> Session? {
        try await store.load(.session(id))?.state
    }

    /// The active sessions of a subject (started, neither ended nor revoked), oldest first.
    package func active(ofSubject subject: Subject) async throws(LedgerStoreError) -> [Session] {
        let states = try await store.client.rows(
            """
            SELECT state::text FROM aggregates
            WHERE kind = 'session' AND state->>'sub' = \(subject.rawValue) AND state ? 'auth_time'
              AND NOT state ? 'ended_at' AND NOT state ? 'revoked_at'
            ORDER BY (state->>'auth_time')::bigint, stream_id
            """,
            logger: store.logger
        ) { try $0.decode(String.self) }
        return try states.map { (json) throws(LedgerStoreError) in try Session.decodeState(json) }
    }

    /// Runs a session command.
    package func execute(
        _ command: SessionCommand, on id: SessionID, context: DecisionContext, metadata: EventMetadata
    ) async throws(LedgerStoreError) -> Outcome {
        try await store.execute(command, on: .session(id), context: context, metadata: metadata)
    }
}
