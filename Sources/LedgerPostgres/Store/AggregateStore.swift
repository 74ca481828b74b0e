import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Runs commands against one kind of aggregate: load its state and version from the inline
/// projection → pure `decide` → append with that version expected. On a version conflict
/// (another request or replica got there first) it reloads and decides again, so concurrent
/// commands on one stream have exactly one winner per version.
package struct AggregateStore<A: ProjectedAggregate>: Sendable {
    /// What running a command produced.
    package struct Outcome: Sendable {
        /// The state the command was decided against.
        package var before: A?
        /// The state after the appended events.
        package var after: A?
        /// The decision (events appended, and the refusal if any).
        package var decision: Decision<A.Event, A.Failure>
        /// Where the events landed; nil when there were none.
        package var receipt: AppendReceipt?
    }

    /// What the caller already knows of the stream before the first decision.
    package enum Start: Sendable {
        /// Nothing: read its state first.
        case load
        /// It does not exist yet: its id was just minted at random.
        case absent
        /// Its state and version, just read by the caller.
        case loaded(A, version: Int64)
    }

    let client: PostgresClient
    let writer: EventWriter
    let logger: Logger

    /// Creates a store over a running client and writer.
    package init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        self.client = client
        self.writer = writer
        self.logger = logger
    }

    /// The current state and version of a stream: its row, or the fold of its events when it
    /// lives in the log only (``ProjectedAggregate/logOnlyStartType``).
    package func load(_ stream: StreamID) async throws(LedgerStoreError) -> (state: A, version: Int64)? {
        if let (version, state) = try await client.firstRow(A.loadQuery(stream), as: (Int64, String).self, logger: logger) {
            return (try A.decodeState(state), version)
        }
        guard let start = A.logOnlyStartType else { return nil }
        return try await fold(stream, startingWith: start)
    }

    /// Folds a stream from the log, if its first event is of type `start`.
    private func fold(_ stream: StreamID, startingWith start: String) async throws(LedgerStoreError) -> (state: A, version: Int64)? {
        let rows = try await client.rows(
            """
            SELECT stream_version, type, data::text FROM events
            WHERE stream_id = \(stream.description)
              AND EXISTS (SELECT 1 FROM events WHERE stream_id = \(stream.description) AND stream_version = 1 AND type = \(start))
            ORDER BY stream_version
            """,
            logger: logger
        ) { try $0.decode((Int64, String, String).self) }
        var state: A?
        for (_, type, data) in rows {
            guard let event = try EventDecoding.decode(type: type, data: Data(data.utf8)).event as? A.Event else {
                throw LedgerStoreError(.encoding, "\(stream) holds a \(type) event")
            }
            state = A.evolve(state, event)
        }
        guard let state, let version = rows.last?.0 else { return nil }
        return (state, version)
    }

    /// Decides `command` against the stream's current state and appends the events, retrying on
    /// version conflicts. A refusal that carries events is appended too. `extra` rows (such as a
    /// sealed private key) are written in the same transaction, and only with an accepted
    /// decision: a refusal or a replay writes none. `readSet` names other streams the
    /// decision depends on, at the versions read: if one moved, nothing is written and the call
    /// fails with `staleRead`. `start` spares the first read when the caller knows the state;
    /// every retry reads it again.
    package func execute(
        _ command: A.Command, on stream: StreamID, context: DecisionContext, metadata: EventMetadata,
        extra: ProjectionDelta = ProjectionDelta(), readSet: [StreamID: Int64] = [:], start: Start = .load,
        maxAttempts: Int = 32
    ) async throws(LedgerStoreError) -> Outcome {
        var start = start
        for _ in 0..<maxAttempts {
            let current: (state: A, version: Int64)?
            switch start {
            case .load: current = try await load(stream)
            case .absent: current = nil
            case .loaded(let state, let version): current = (state, version)
            }
            start = .load
            let decision = A.decide(command, current?.state, context)
            guard !decision.events.isEmpty else {
                return Outcome(before: current?.state, after: current?.state, decision: decision, receipt: nil)
            }
            let after = A.fold(decision.events, from: current?.state)
            let version = current?.version ?? 0
            var events: [NewEvent] = []
            let encodedMetadata = try CanonicalJSON.encode(metadata)
            for event in decision.events { events.append(try NewEvent(event, encodedMetadata: encodedMetadata)) }
            var projection = decision.refusal == nil && !decision.replays ? extra : ProjectionDelta()
            if let after {
                projection.merge(try A.projection(after: after, stream: stream, version: version + Int64(events.count), events: decision.events))
            }
            do {
                let receipt = try await writer.append(
                    PendingAppend(stream: stream, expectedVersion: version, events: events, projection: projection, readSet: readSet)
                )
                return Outcome(before: current?.state, after: after, decision: decision, receipt: receipt)
            } catch where error.code == .versionConflict {
                continue
            }
        }
        throw LedgerStoreError(.contention, "\(stream) kept changing under \(maxAttempts) attempts")
    }
}
