import LedgerDomain
@testable import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Synchronization
import Testing

/// postgres-nio keeps a lease request waiting while it cannot connect, until its circuit
/// breaker trips a minute later. The writer and the stores bound that wait, so a request
/// answers 503 in seconds while the database is unreachable.
@Suite("An unreachable database is reported in seconds, not after the pool's minute", .timeLimit(.minutes(1)))
struct DatabaseOutageTests {
    /// Runs `body` with a client whose server refuses every connection (nothing listens there).
    static func withUnreachableDatabase(_ body: @Sendable (PostgresClient) async throws -> Void) async throws {
        let configuration = try DatabaseURL("postgres://tokenledger@127.0.0.1:9/tokenledger").configuration
        let client = PostgresClient(configuration: configuration, backgroundLogger: testLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }

    /// Runs `body` with a running writer over an unreachable database that waits `connectionWait` for a connection.
    static func withUnreachableWriter(connectionWait: Duration, _ body: @Sendable (EventWriter) async throws -> Void) async throws {
        try await withUnreachableDatabase { client in
            var configuration = EventWriter.Configuration()
            configuration.connectionWait = connectionWait
            let writer = EventWriter(client: client, logger: testLogger, configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await writer.run() }
                defer { group.cancelAll() }
                try await body(writer)
            }
        }
    }

    @Test("an append fails as unavailable once the writer's connection wait is over")
    func writerAnswers() async throws {
        try await Self.withUnreachableWriter(connectionWait: .seconds(1)) { writer in
            let started = ContinuousClock.now
            let error = await #expect(throws: LedgerStoreError.self) {
                try await RevocationFixtures.append(.token, to: writer)
            }
            #expect(error?.code == .unavailable)
            #expect(ContinuousClock.now - started < .seconds(4))
            // The writer is still there for the next caller.
            await #expect(throws: LedgerStoreError.self) { try await RevocationFixtures.append(.token, to: writer) }
        }
    }

    @Test("an append that arrives while another waits for a connection fails with that wait, not after a second one")
    func oneBoundPerArrival() async throws {
        try await Self.withUnreachableWriter(connectionWait: .seconds(2)) { writer in
            let first = Task { try await RevocationFixtures.append(.token, to: writer) }
            try await Task.sleep(for: .seconds(1))
            let arrived = ContinuousClock.now
            await #expect(throws: LedgerStoreError.self) { try await RevocationFixtures.append(.token, to: writer) }
            let waited = ContinuousClock.now - arrived
            // Before: the second append waited for the first's 2 s, then 2 s of its own (about 3 s).
            #expect(waited < .milliseconds(2500), "answered \(waited) after it arrived")
            _ = await first.result
        }
    }

    @Test("a bounded lease gives up after its wait, and a connection handed out later runs nothing")
    func readAnswers() async throws {
        try await Self.withUnreachableDatabase { client in
            let started = ContinuousClock.now
            let ran = Mutex(false)
            await #expect(throws: LeaseTimeout.self) {
                try await client.withConnection(waitingAtMost: .seconds(1)) { _ in ran.withLock { $0 = true } }
            }
            #expect(ContinuousClock.now - started < .seconds(4))
            #expect(ran.withLock { $0 } == false)
        }
    }
}
