import Foundation
import LedgerHTTP
import LedgerPostgres
import LedgerRedis
import LedgerRelay
import LedgerTesting
import Logging
import PostgresNIO
import LedgerService

/// Runs relays for a test and stops them afterwards.
enum RelayHarness {
    /// A relay configuration for tests: a unique channel, quick lease retries.
    static func configuration() -> RevocationRelay.Configuration {
        var configuration = RevocationRelay.Configuration(channel: "test:relay:\(UUID().uuidString)")
        configuration.leaseRetryInterval = .milliseconds(200)
        configuration.checkpointInterval = .milliseconds(100)
        return configuration
    }

    /// The issuer the test relays sign as.
    static let issuer = "https://issuer.relay.test"

    /// A relay over `replica` that signs with a key ring of its own on the same database.
    static func relay(
        _ replica: TestDatabase.Replica, redis: RedisEndpoint, _ configuration: RevocationRelay.Configuration
    ) async throws -> RevocationRelay {
        var logger = Logger(label: "test.relay")
        logger.logLevel = .error
        let keys = try await KeyRing.started(on: replica, logger: logger)
        return RevocationRelay(
            database: replica.client, redis: redis, signer: KeyRingBroadcastSigner(issuer: issuer, keys: keys), configuration: configuration,
            logger: logger
        )
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
