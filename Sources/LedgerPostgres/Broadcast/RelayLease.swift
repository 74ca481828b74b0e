import Logging
import PostgresNIO

/// Leadership among the replicas' relays of one channel: a session-level advisory lock held
/// on one pooled connection for the whole term. Exactly one process holds it; when that
/// process or its connection dies, PostgreSQL releases it and the next `withLease` elsewhere
/// succeeds. The same connection LISTENs to the log's doorbell (`pg_notify('tokenledger_events',
/// seq)` on every append, Schema 0002), so the holder learns of new events at once.
package struct RelayLease: Sendable {
    /// The doorbell channel `ledger_append` notifies.
    static let doorbell = "tokenledger_events"

    private let client: PostgresClient
    private let channel: String
    private let logger: Logger

    /// Creates the lease for the relay of `channel`.
    package init(client: PostgresClient, channel: String, logger: Logger) {
        self.client = client
        self.channel = channel
        self.logger = logger
    }

    /// Runs `body` while holding the lease, or returns nil at once when another holds it.
    ///
    /// `body` receives the doorbell: one element (coalesced) per burst of appends, finishing
    /// with an error when the lease connection is lost; and the lease connection itself, for the
    /// term's own statements (no pool lease on the way from a commit to Redis). The term ends
    /// when `body` returns, or when the connection is lost (then `body` is cancelled and this
    /// throws).
    package func withLease<T: Sendable>(
        _ body: @escaping @Sendable (_ doorbell: AsyncThrowingStream<Void, any Error>, _ connection: PostgresConnection) async throws -> T
    ) async throws -> T? {
        let (channel, logger) = (channel, logger)
        return try await client.withConnection { connection -> T? in
            let acquired = try await connection.query(
                "SELECT pg_try_advisory_lock(hashtext('tokenledger.relay'), hashtext(\(channel)))", logger: logger
            ).collect().first?.decode(Bool.self)
            guard acquired == true else { return nil }
            do {
                let result = try await Self.lead(connection, logger: logger, body)
                await Self.release(connection, channel: channel, logger: logger)
                return result
            } catch {
                await Self.release(connection, channel: channel, logger: logger)
                throw error
            }
        }
    }

    private static func lead<T: Sendable>(
        _ connection: PostgresConnection, logger: Logger,
        _ body: @escaping @Sendable (AsyncThrowingStream<Void, any Error>, PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.listen(on: doorbell) { notifications in
            let (rings, ring) = AsyncThrowingStream<Void, any Error>.makeStream(bufferingPolicy: .bufferingNewest(1))
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    do {
                        for try await _ in notifications { ring.yield() }
                    } catch {
                        ring.finish(throwing: error)
                        throw error
                    }
                    let lost = LedgerStoreError(.unavailable, "the relay lease connection was closed")
                    ring.finish(throwing: lost)
                    throw lost
                }
                group.addTask { try await body(rings, connection) }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let result = next { return result }
                }
                throw CancellationError()
            }
        }
    }

    /// Gives the lock back before the connection returns to the pool. A lost connection has
    /// already released it.
    private static func release(_ connection: PostgresConnection, channel: String, logger: Logger) async {
        guard !connection.isClosed else { return }
        _ = try? await connection.query(
            "SELECT pg_advisory_unlock(hashtext('tokenledger.relay'), hashtext(\(channel)))", logger: logger
        ).collect()
    }
}
