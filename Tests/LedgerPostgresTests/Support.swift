import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import Logging
import PostgresNIO
import Synchronization
import Testing

// Helpers shared by the LedgerPostgres integration tests.

/// A quiet logger for test clients.
let testLogger: Logger = {
    var logger = Logger(label: "test")
    logger.logLevel = .error
    return logger
}()

/// The fixed decision time most tests use.
let testNow = Instant(milliseconds: 1_800_000_000_000)
let testContext = DecisionContext(now: testNow)

extension TestDatabase.Ledger {
    /// A chain verifier over the superuser client.
    var verifier: ChainVerifier { ChainVerifier(client: admin, logger: testLogger) }

    /// Asserts the whole log verifies intact with `count` events (seq 1…count).
    func expectIntact(count: Int64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let report = try await verifier.verify()
        guard case .intact(let first, let last, let total, let headHash) = report else {
            Issue.record("expected an intact chain, got: \(report)", sourceLocation: sourceLocation)
            return
        }
        #expect(first == 1 && last == count && total == count, "\(report)", sourceLocation: sourceLocation)
        let head = try await admin.bytes("SELECT hash FROM ledger_head")
        #expect(head == [headHash], sourceLocation: sourceLocation)
    }

    /// Runs `statements` on one superuser connection with triggers disabled
    /// (`session_replication_role = replica`), as an attacker with database access would.
    func tamper(_ statements: [PostgresQuery]) async throws {
        try await admin.withConnection { connection in
            try await connection.exec("SET session_replication_role = replica")
            do {
                for statement in statements { _ = try await connection.query(statement, logger: testLogger).collect() }
            } catch {
                try await connection.exec("RESET session_replication_role")
                throw error
            }
            try await connection.exec("RESET session_replication_role")
        }
    }
}

/// The SQLSTATE of a server error.
func sqlState(_ error: any Error) -> String? { (error as? PSQLError)?.serverInfo?[.sqlState] }

/// Runs `body`, which must fail with a server error of SQLSTATE `state`; returns the server message.
@discardableResult
func expectSQLState(
    _ state: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> String {
    do {
        try await body()
        Issue.record("expected SQLSTATE \(state), but the statement succeeded", sourceLocation: sourceLocation)
        return ""
    } catch {
        #expect(sqlState(error) == state, "\(String(reflecting: error))", sourceLocation: sourceLocation)
        return (error as? PSQLError)?.serverInfo?[.message] ?? ""
    }
}

/// Runs `body`, which must throw a ``LedgerStoreError`` with `code`.
func expectStoreError<T>(
    _ code: LedgerStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected LedgerStoreError(\(code)), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as LedgerStoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected LedgerStoreError(\(code)), got \(String(reflecting: error))", sourceLocation: sourceLocation)
    }
}

extension PostgresConnection {
    /// Runs one statement, draining its rows.
    func exec(_ sql: String) async throws {
        _ = try await query(PostgresQuery(unsafeSQL: sql), logger: testLogger).collect()
    }

    /// The first column of every row, as text.
    func texts(_ sql: String) async throws -> [String] {
        try await query(PostgresQuery(unsafeSQL: sql), logger: testLogger).collect().map { try $0.decode(String.self) }
    }
}

extension PostgresClient {
    /// Runs one statement, draining its rows.
    func exec(_ sql: String) async throws {
        _ = try await query(PostgresQuery(unsafeSQL: sql), logger: testLogger).collect()
    }

    /// The first column of every row, as text.
    func texts(_ sql: String) async throws -> [String] {
        try await query(PostgresQuery(unsafeSQL: sql), logger: testLogger).collect().map { try $0.decode(String.self) }
    }

    /// The first column of every row, as integers.
    func ints(_ sql: String) async throws -> [Int64] {
        try await query(PostgresQuery(unsafeSQL: sql), logger: testLogger).collect().map { try $0.decode(Int64.self) }
    }

    /// The first column of every row, as bytes.
    func bytes(_ sql: String) async throws -> [Data] {
        try await query(PostgresQuery(unsafeSQL: sql), logger: testLogger).collect().map { Data(buffer: try $0.decode(ByteBuffer.self)) }
    }

    /// `count(*)`, `min(seq)`, `max(seq)` of `events` and the chain head's seq.
    func logShape() async throws -> (count: Int64, min: Int64, max: Int64, head: Int64) {
        let rows = try await query(
            "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0), (SELECT seq FROM ledger_head) FROM events",
            logger: testLogger
        ).collect()
        return try rows[0].decode((Int64, Int64, Int64, Int64).self)
    }

    /// Streams whose versions are not exactly 1…n in `events` (or, where the schema keeps a
    /// `streams` version table, whose row there disagrees).
    func streamsWithGaps() async throws -> [String] {
        let gaps = try await texts(
            """
            SELECT stream_id FROM events GROUP BY stream_id
            HAVING count(*) <> max(stream_version) OR min(stream_version) <> 1
            """
        )
        guard try await texts("SELECT coalesce(to_regclass('streams')::text, '')") != [""] else { return gaps }
        return try await gaps + texts(
            """
            SELECT coalesce(e.stream_id, s.stream_id) FROM
              (SELECT stream_id, max(stream_version) AS hi FROM events GROUP BY stream_id) e
            FULL JOIN streams s ON s.stream_id = e.stream_id
            WHERE s.version IS DISTINCT FROM e.hi
            """
        )
    }
}

/// Runs `body` with an extra client on `url` (its own pool), stopped afterwards.
func withClient<T: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    let client = PostgresClient(configuration: try DatabaseURL(url).configuration, backgroundLogger: testLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A `session.started` event: a small, valid event for raw writer appends.
func probeEvent(_ n: Int, stream: String) throws -> NewEvent {
    try NewEvent(
        SessionEvent.started(SessionStarted(sessionID: SessionID(stream), subject: Subject("user-\(n)"), authTime: testNow)),
        metadata: EventMetadata(actor: "test", requestID: "req-\(n)")
    )
}

/// An append of `count` probe events to `session/<id>` expecting `version`.
func probeAppend(_ id: String, expecting version: Int64, events count: Int = 1) throws -> PendingAppend {
    PendingAppend(
        stream: StreamID(kind: "session", id: id), expectedVersion: version,
        events: try (0..<count).map { try probeEvent(Int(version) + $0, stream: id) }
    )
}

/// A seeded generator (SplitMix64): the same seed always gives the same workload.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A counter shared by concurrent tasks.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    func add() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
