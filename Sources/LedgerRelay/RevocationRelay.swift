import LedgerDomain
import LedgerPostgres
import LedgerRedis
import Logging
import PostgresNIO
import ServiceLifecycle

/// Publishes every revocation of the log to Redis as a signed message (format v2,
/// docs/broadcast.md), in seq order, plus a signed heartbeat.
///
/// Every replica runs one; only the holder of the channel's ``RelayLease`` publishes, the
/// others retry the lease every `leaseRetryInterval` and take over within about that long
/// when the holder dies. The holder resumes from the channel's checkpoint, publishes each
/// revocation after it, and advances the checkpoint only once Redis accepted the publish, so
/// nothing is lost (a takeover may repeat what the previous holder published after its last
/// checkpoint write: subscribers apply messages idempotently). While Redis is down it retries
/// with backoff and never skips; the log is the outbox, so issuance and revocation go on.
///
/// The heartbeat's `seq` is the highest revocation seq published (every revocation up to it
/// has gone out), sent every `heartbeatInterval` while Redis is reachable.
package struct RevocationRelay: Service {
    /// Tuning; the defaults suit production.
    package struct Configuration: Sendable {
        /// The Redis channel (`redis.channel`).
        package var channel: String
        /// Time between heartbeats (docs/broadcast.md promises at most 2 s).
        package var heartbeatInterval: Duration = .seconds(1)
        /// Time between log reads when no doorbell rang (a fallback: the doorbell is the fast path).
        package var pollInterval: Duration = .milliseconds(250)
        /// Time between a follower's attempts to take the lease.
        package var leaseRetryInterval: Duration = .seconds(1)
        /// Revocations read and published (pipelined) at once.
        package var batchSize: Int = 500
        /// Minimum time between checkpoint writes; a takeover repeats at most about this much.
        package var checkpointInterval: Duration = .milliseconds(200)
        /// Delays between publish attempts while Redis is unreachable.
        package var backoff = RedisBackoff(initial: .milliseconds(50), maximum: .seconds(2))

        /// Creates a configuration for `channel`.
        package init(channel: String = "tokenledger:revocations") {
            self.channel = channel
        }
    }

    private let redis: RedisEndpoint
    private let configuration: Configuration
    private let log: RevocationLog
    private let checkpoints: RelayCheckpoints
    private let lease: RelayLease
    private let signer: any BroadcastSigner
    private let logger: Logger
    private let now: @Sendable () -> Instant

    /// Creates a relay over a running client that signs with `signer`; it connects to `redis` when it runs.
    package init(
        database: PostgresClient, redis: RedisEndpoint, signer: any BroadcastSigner, configuration: Configuration, logger: Logger,
        now: @escaping @Sendable () -> Instant = Instant.current
    ) {
        self.redis = redis
        self.configuration = configuration
        self.signer = signer
        self.log = RevocationLog(client: database, signer: signer, logger: logger)
        self.checkpoints = RelayCheckpoints(client: database, logger: logger)
        self.lease = RelayLease(client: database, channel: configuration.channel, logger: logger)
        self.logger = logger
        self.now = now
    }

    /// Campaigns for the lease and publishes while holding it, until cancelled or shut down.
    package func run() async throws {
        let publisher = RedisClient(endpoint: redis, logger: logger)
        await cancelWhenGracefulShutdown {
            await campaign(publisher)
        }
        await publisher.close()
    }

    private func campaign(_ publisher: RedisClient) async {
        let metadata: Logger.Metadata = ["channel": "\(configuration.channel)", "redis": "\(redis)"]
        while !Task.isCancelled {
            do {
                let held: Void? = try await lease.withLease { doorbell, connection in
                    try await RelayTerm(
                        settings: configuration, log: log, checkpoints: checkpoints, publisher: publisher, signer: signer, doorbell: doorbell,
                        connection: connection, logger: logger, now: now
                    ).run()
                }
                if held == nil { try await Task.sleep(for: configuration.leaseRetryInterval) }
            } catch {
                guard !Task.isCancelled else { break }
                logger.warning("relay term ended", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                try? await Task.sleep(for: configuration.leaseRetryInterval)
            }
        }
    }
}
