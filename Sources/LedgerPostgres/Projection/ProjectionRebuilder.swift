import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Rebuilds every projection from the log (`tokenledger rebuild`): in one transaction that
/// holds the chain-head lock (so no append interleaves), it empties the projection tables,
/// folds every event through the same `evolve` and ``Projector`` the live path uses, and
/// writes the rows back in chunks. It streams the log stream by stream (`ORDER BY stream_id,
/// stream_version`, the log's unique index): an aggregate's events are consecutive, so only the
/// aggregate being folded is held, and memory stays flat whatever the size of the log. The
/// payloads are decoded in batches on other tasks (a few batches at most) while this one
/// folds, and each chunk of rows is applied while the next is folded. Every
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
    private let decodeBatch = 1000
    private let decodesInFlight = 2

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
                // Read on a second connection: a connection cannot run the projection writes while
                // it streams. The head lock held above keeps the log still meanwhile.
                return try await client.withConnection { reader in
                    var folding = Folding(writer: ChunkedWriter(connection: connection, logger: logger, chunkSize: chunkSize), now: now)
                    // Decoding the payloads is most of the work: batches of rows are decoded on other
                    // tasks, at most `decodesInFlight` at once, while this one reads and folds in order.
                    var decoding = DecodePipeline(depth: decodesInFlight)
                    defer { decoding.cancel() }
                    let log = try await reader.query(
                        "SELECT stream_id, stream_version, type, data::text FROM events ORDER BY stream_id, stream_version", logger: logger
                    )
                    var batch: [RawRow] = []
                    batch.reserveCapacity(decodeBatch)
                    for try await (id, version, type, data) in log.decode((String, Int64, String, String).self) {
                        batch.append(RawRow(stream: id, version: version, type: type, data: data))
                        if batch.count == decodeBatch {
                            if let ready = decoding.submit(batch) { try await folding.fold(try await ready.value) }
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                    if !batch.isEmpty, let ready = decoding.submit(batch) { try await folding.fold(try await ready.value) }
                    while let ready = decoding.next() { try await folding.fold(try await ready.value) }
                    return try await folding.finish()
                }
            }
        } catch let error as LedgerStoreError {
            throw error
        } catch {
            throw LedgerStoreError(.unavailable, "rebuild failed: \(PostgresErrorSummary(error))")
        }
    }
}

/// One row of the log as read, before its payload is decoded.
private struct RawRow: Sendable {
    var stream: String
    var version: Int64
    var type: String
    var data: String
}

/// One row of the log with its payload decoded.
private struct DecodedRow: Sendable {
    var stream: String
    var version: Int64
    var event: LedgerEvent
}

/// Decodes batches of rows on their own tasks, answered in the order submitted.
private struct DecodePipeline {
    let depth: Int
    private var inFlight: [Task<[DecodedRow], any Error>] = []

    init(depth: Int) { self.depth = depth }

    /// Starts decoding `batch`; answers the oldest batch when `depth` are in flight.
    mutating func submit(_ batch: [RawRow]) -> Task<[DecodedRow], any Error>? {
        inFlight.append(Task {
            try batch.map { row in
                DecodedRow(stream: row.stream, version: row.version, event: try EventDecoding.decode(type: row.type, data: Data(row.data.utf8)))
            }
        })
        return inFlight.count > depth ? inFlight.removeFirst() : nil
    }

    /// The oldest batch still in flight, if any.
    mutating func next() -> Task<[DecodedRow], any Error>? {
        inFlight.isEmpty ? nil : inFlight.removeFirst()
    }

    /// Stops every batch still in flight (on failure).
    func cancel() { for task in inFlight { task.cancel() } }
}

/// The fold of the whole log in stream order: the stream being folded, the rows written so
/// far, and the counts.
private struct Folding {
    var writer: ChunkedWriter
    /// Write only the rows retained at this time; nil: every row.
    let now: Instant?
    var stream = StreamRows()
    var events = 0
    var aggregates = 0

    init(writer: ChunkedWriter, now: Instant?) {
        self.writer = writer
        self.now = now
    }

    /// Folds decoded rows, in log order within each stream.
    mutating func fold(_ batch: [DecodedRow]) async throws {
        for row in batch {
            if row.stream != stream.id {
                aggregates += try await stream.write(to: &writer, retainedAt: now)
                stream = StreamRows(id: row.stream)
            }
            stream.apply(row.event, version: row.version)
            events += 1
        }
    }

    /// Writes the last stream and waits for every write.
    mutating func finish() async throws -> ProjectionRebuilder.Summary {
        aggregates += try await stream.write(to: &writer, retainedAt: now)
        try await writer.finish()
        return ProjectionRebuilder.Summary(events: events, aggregates: aggregates)
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
    /// The chunk being applied.
    var running: Task<Void, any Error>?

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

    /// Sends what is pending; the previous chunk's statement must have finished first, so at
    /// most one runs while the next is being folded.
    mutating func flush() async throws {
        guard !pending.isEmpty else { return }
        let (chunk, connection, logger) = (pending, self.connection, self.logger)
        pending = ProjectionDelta()
        pendingCount = 0
        try await running?.value
        running = Task {
            let json = String(decoding: try JSONEncoder().encode(chunk), as: UTF8.self)
            try await connection.query("SELECT apply_projection(\(json)::jsonb)", logger: logger)
        }
    }

    /// Sends what is pending and waits for every statement.
    mutating func finish() async throws {
        try await flush()
        try await running?.value
        running = nil
    }
}
