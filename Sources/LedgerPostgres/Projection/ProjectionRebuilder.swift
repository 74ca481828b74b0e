import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Rebuilds every projection from the log (`tokenledger rebuild`): in one transaction that
/// holds the chain-head lock (so no append interleaves), it empties the projection tables,
/// folds every event through the same `evolve` and ``Projector`` the live path uses, and
/// writes the rows back in chunks. It streams the log stream by stream (`ORDER BY stream_id,
/// stream_version`, the log's unique index): an aggregate's events are consecutive, so only the
/// aggregate being folded is held, and memory stays flat whatever the size of the log. Every
/// row a projection keys by something other than its stream (a deny-list entry, a token hash)
/// comes from one stream only, so stream order writes it exactly as sequence order would.
/// `signing_key_secrets` is not a projection and stays.
package struct ProjectionRebuilder: Sendable {
    /// How much was rebuilt.
    package struct Summary: Sendable, Hashable {
        /// Events folded.
        package var events: Int
        /// Aggregates (grants, clients, keys, …) whose state rows were written.
        package var aggregates: Int
    }

    private let client: PostgresClient
    private let logger: Logger
    private let chunkSize = 2000

    /// Creates a rebuilder.
    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Rebuilds the projections; returns what was folded. With `now`, only the rows still
    /// retained at `now` are written: exactly what the live tables hold once swept at `now`
    /// (``ProjectionSweeper``); without, every row the log ever made.
    package func rebuild(at now: Instant? = nil) async throws(LedgerStoreError) -> Summary {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT seq FROM ledger_head WHERE id FOR UPDATE", logger: logger)
                try await connection.query(
                    "TRUNCATE grants, refresh_tokens, authorization_codes, denylist, aggregates", logger: logger
                )
                var writer = ChunkedWriter(connection: connection, logger: logger, chunkSize: chunkSize)
                var stream = StreamRows()
                var events = 0
                var aggregates = 0
                // Read on a second connection: a connection cannot run the projection writes while
                // it streams. The head lock held above keeps the log still meanwhile.
                try await client.withConnection { reader in
                    let log = try await reader.query(
                        "SELECT stream_id, stream_version, type, data::text FROM events ORDER BY stream_id, stream_version", logger: logger
                    )
                    for try await (id, version, type, data) in log.decode((String, Int64, String, String).self) {
                        if id != stream.id {
                            aggregates += try await stream.write(to: &writer, retainedAt: now)
                            stream = StreamRows(id: id)
                        }
                        let event = try EventDecoding.decode(type: type, data: Data(data.utf8))
                        stream.apply(event, version: version)
                        events += 1
                    }
                }
                aggregates += try await stream.write(to: &writer, retainedAt: now)
                try await writer.flush()
                return Summary(events: events, aggregates: aggregates)
            }
        } catch let error as LedgerStoreError {
            throw error
        } catch {
            throw LedgerStoreError(.unavailable, "rebuild failed: \(PostgresErrorSummary(error))")
        }
    }
}

/// The stream being folded: its state and every row its events make. A grant no longer
/// retained leaves out its refresh-token rows with its own.
private struct StreamRows {
    var id: String?
    var fold = StateFold()
    var rows = ProjectionDelta()

    mutating func apply(_ event: LedgerEvent, version: Int64) {
        fold.apply(event, stream: StreamID(id ?? "") ?? StreamID(kind: "", id: id ?? ""), version: version)
        rows.merge(Projector.rows(for: event))
    }

    /// Writes the stream's rows (those retained at `now`, when given); answers its aggregates.
    func write(to writer: inout ChunkedWriter, retainedAt now: Instant?) async throws -> Int {
        var all = rows
        for delta in try fold.stateRows() { all.merge(delta) }
        try await writer.add(now.map { all.retained(at: $0) } ?? all)
        return fold.count
    }
}

/// The state of the aggregates of the stream being folded, event by event.
private struct StateFold {
    var grants: [StreamID: (Grant, Int64)] = [:]
    var clients: [StreamID: (Client, Int64)] = [:]
    var keys: [StreamID: (SigningKey, Int64)] = [:]
    var subjects: [StreamID: (SubjectRevocations, Int64)] = [:]
    var sessions: [StreamID: (Session, Int64)] = [:]
    var logins: [StreamID: (LoginFlow, Int64)] = [:]
    var consents: [StreamID: (Consent, Int64)] = [:]

    var count: Int { grants.count + clients.count + keys.count + subjects.count + sessions.count + logins.count + consents.count }

    mutating func apply(_ event: LedgerEvent, stream: StreamID, version: Int64) {
        switch event {
        case .grant(let e): Self.step(&grants, e, stream, version)
        case .client(let e): Self.step(&clients, e, stream, version)
        case .signingKey(let e): Self.step(&keys, e, stream, version)
        case .subject(let e): Self.step(&subjects, e, stream, version)
        case .session(let e): Self.step(&sessions, e, stream, version)
        case .login(let e): Self.step(&logins, e, stream, version)
        case .consent(let e): Self.step(&consents, e, stream, version)
        }
    }

    /// The state rows of every aggregate, as the live path writes them.
    func stateRows() throws(LedgerStoreError) -> [ProjectionDelta] {
        var rows: [ProjectionDelta] = []
        for (stream, (state, version)) in grants { rows.append(Grant.projection(after: state, stream: stream, version: version, events: [])) }
        for (stream, (state, version)) in clients { rows.append(try Client.projection(after: state, stream: stream, version: version, events: [])) }
        for (stream, (state, version)) in keys { rows.append(try SigningKey.projection(after: state, stream: stream, version: version, events: [])) }
        for (stream, (state, version)) in subjects { rows.append(try SubjectRevocations.projection(after: state, stream: stream, version: version, events: [])) }
        for (stream, (state, version)) in sessions { rows.append(try Session.projection(after: state, stream: stream, version: version, events: [])) }
        for (stream, (state, version)) in logins { rows.append(try LoginFlow.projection(after: state, stream: stream, version: version, events: [])) }
        for (stream, (state, version)) in consents { rows.append(try Consent.projection(after: state, stream: stream, version: version, events: [])) }
        return rows
    }

    private static func step<A: Aggregate>(_ states: inout [StreamID: (A, Int64)], _ event: A.Event, _ stream: StreamID, _ version: Int64) {
        if let next = A.evolve(states[stream]?.0, event) { states[stream] = (next, version) }
    }
}

/// Accumulates projection rows and writes them through `apply_projection` in chunks.
private struct ChunkedWriter {
    let connection: PostgresConnection
    let logger: Logger
    let chunkSize: Int
    var pending = ProjectionDelta()
    var pendingCount = 0

    init(connection: PostgresConnection, logger: Logger, chunkSize: Int) {
        self.connection = connection
        self.logger = logger
        self.chunkSize = chunkSize
    }

    mutating func add(_ delta: ProjectionDelta) async throws {
        guard !delta.isEmpty else { return }
        pending.merge(delta)
        pendingCount += 1
        if pendingCount >= chunkSize { try await flush() }
    }

    mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        let json = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        try await connection.query("SELECT apply_projection(\(json)::jsonb)", logger: logger)
        pending = ProjectionDelta()
        pendingCount = 0
    }
}
