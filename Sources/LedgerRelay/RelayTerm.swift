import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerRedis
import Logging
import Metrics
import PostgresNIO

/// One leadership term of a ``RevocationRelay``: from the checkpoint, publish each revocation
/// once Redis takes it, checkpoint behind it, heartbeat on a timer of its own, and wait for the
/// doorbell or the poll.
struct RelayTerm: Sendable {
    let settings: RevocationRelay.Configuration
    let log: RevocationLog
    let checkpoints: RelayCheckpoints
    let publisher: RedisClient
    let signer: any BroadcastSigner
    let doorbell: AsyncThrowingStream<Void, any Error>
    /// The lease connection: the term reads and stores its messages on it.
    let connection: PostgresConnection
    let logger: Logger
    let now: @Sendable () -> Instant

    private var channel: String { settings.channel }

    /// Runs until the lease is lost (throws) or the task is cancelled.
    func run() async throws {
        let (log, now) = (log, now)
        let start = try await checkpoints.position(channel: channel) { () async throws(LedgerStoreError) in
            try await log.startingPoint(at: now())
        }
        logger.info("relay leads", metadata: ["channel": "\(channel)", "checkpoint": "\(start)"])
        Gauge(label: "tokenledger_relay_leader", dimensions: [("channel", channel)]).record(1)
        defer { Gauge(label: "tokenledger_relay_leader", dimensions: [("channel", channel)]).record(0) }

        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wake.yield()
        let publication = RelayPublication(
            publisher: publisher, channel: channel, backoff: settings.backoff, signer: signer, logger: logger, now: now,
            published: start
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in doorbell { wake.yield() }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: settings.pollInterval)
                    wake.yield()
                }
            }
            group.addTask {
                while true {
                    await publication.heartbeat()
                    try await Task.sleep(for: settings.heartbeatInterval)
                }
            }
            group.addTask { try await pump(wakes, from: start, through: publication) }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// On each wake: publish what the log holds after `published`, then checkpoint behind it.
    private func pump(_ wakes: AsyncStream<Void>, from start: Int64, through publication: RelayPublication) async throws {
        let clock = ContinuousClock()
        var published = start
        var checkpointed = start
        var lastCheckpoint = clock.now
        for await _ in wakes {
            while true {
                let batch = try await log.read(after: published, limit: settings.batchSize, now: now(), on: connection)
                guard let last = batch.items.last else { break }
                // What was signed just now is stored while it goes out; should a feed reader have
                // stored another signature of the same revocation first, that one goes out too, so
                // every string the feed answers has been published.
                let (log, connection, fresh) = (log, connection, batch.fresh)
                async let stored = log.store(fresh, on: connection)
                try await publication.publish(batch.items)
                try await publication.publish(batch.superseded(by: try await stored))
                published = last.seq
                Counter(label: "tokenledger_relay_published_total", dimensions: [("channel", channel)]).increment(by: batch.items.count)
                Gauge(label: "tokenledger_relay_lag_seconds", dimensions: [("channel", channel)])
                    .record(Double(now().milliseconds - last.occurredAt.milliseconds) / 1000)
                if batch.items.count < settings.batchSize { break }
            }
            if published > checkpointed, clock.now - lastCheckpoint >= settings.checkpointInterval {
                try await checkpoints.advance(channel: channel, to: published)
                (checkpointed, lastCheckpoint) = (published, clock.now)
            }
        }
        if published > checkpointed {
            try? await checkpoints.advance(channel: channel, to: published)
        }
    }
}
