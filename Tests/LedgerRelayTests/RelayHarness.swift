import Foundation
import LedgerPostgres
import LedgerRedis
import LedgerRelay
import LedgerTesting
import Logging
import PostgresNIO

/// Runs relays for a test and stops them afterwards.
enum RelayHarness {
    /// A relay configuration for tests: a unique channel, quick lease retries.
    static func configuration() -> RevocationRelay.Configuration {
        var configuration = RevocationRelay.Configuration(channel: "test:relay:\(UUID().uuidString)")
        configuration.leaseRetryInterval = .milliseconds(200)
        configuration.checkpointInterval = .milliseconds(100)
        return configuration
    }

    static func relay(
        _ client: PostgresClient, redis: RedisEndpoint, _ configuration: RevocationRelay.Configuration
    ) -> RevocationRelay {
        var logger = Logger(label: "test.relay")
        logger.logLevel = .error
        return RevocationRelay(database: client, redis: redis, configuration: configuration, logger: logger)
    }

    /// Runs `relay` in a task the caller cancels to stop it.
    static func start(_ relay: RevocationRelay) -> Task<Void, any Error> {
        Task { try await relay.run() }
    }

    /// The relay checkpoint of `channel`.
    static func checkpoint(_ client: PostgresClient, channel: String) async throws -> Int64? {
        try await client.query("SELECT seq FROM relay_checkpoints WHERE channel = \(channel)").collect().first?.decode(Int64.self)
    }
}
