@testable import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("The writer's loop runs on its connection's event loop", .timeLimit(.minutes(3)))
struct EventLoopTaskExecutorTests {
    @Test("A task preferring a connection's event loop runs on it, across statements on that connection")
    func runsOnTheConnectionsEventLoop() async throws {
        try await TestDatabase.withLedger { ledger in
            try await ledger.primary.client.withConnection { connection in
                let eventLoop = connection.eventLoop
                #expect(!eventLoop.inEventLoop)
                let seen = try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) {
                    var seen = [eventLoop.inEventLoop]
                    for value in 1...3 {
                        let rows = try await connection.query("SELECT \(value)::int", logger: testLogger).collect()
                        #expect(try rows[0].decode(Int.self) == value)
                        seen.append(eventLoop.inEventLoop)
                    }
                    return seen
                }
                #expect(seen == [true, true, true, true])
            }
        }
    }
}
