import LedgerPostgres
import LedgerService
import Logging
import PostgresNIO

/// Runs `body` with a connected `PostgresClient` (and its pool task) for one-shot commands.
/// `body` starts once the pool task is entering `run()`, so its first lease finds the pool
/// running (postgres-nio warns about a lease tried before).
func withDatabase<T: Sendable>(
    _ configuration: ServiceConfiguration, logger: Logger, _ body: @Sendable @escaping (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(configuration: try DatabaseURL(configuration.databaseURL).configuration, backgroundLogger: logger)
    let (running, runs) = AsyncStream<Void>.makeStream()
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            runs.finish()
            await client.run()
            return nil
        }
        defer { group.cancelAll() }
        for await _ in running {}
        return try await body(client)
    }
}

/// Runs `body` with the process's store graph over a connected pool and a running
/// ``EventWriter``, for one-shot commands that append events; the writer drains before the
/// pool closes.
func withStores<T: Sendable>(
    _ configuration: ServiceConfiguration, logger: Logger, _ body: @Sendable @escaping (LedgerStores) async throws -> T
) async throws -> T {
    try await withDatabase(configuration, logger: logger) { client in
        let writer = EventWriter(client: client, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await writer.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(LedgerStores(database: client, writer: writer, logger: logger))
        }
    }
}
