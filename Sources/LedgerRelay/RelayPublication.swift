import LedgerDomain
import LedgerPostgres
import LedgerRedis
import Logging

/// Everything one relay term publishes, one publish at a time and in order: the pump's batches
/// of revocations and the heartbeats, which run on their own timer so a slow read of the log
/// never delays them. A heartbeat is skipped while a batch is being published (it would carry
/// a `seq` the batch is about to pass); it always carries the highest seq published.
actor RelayPublication {
    private let publisher: RedisClient
    private let channel: String
    private let backoff: RedisBackoff
    private let logger: Logger
    private let now: @Sendable () -> Instant
    private let signer: any BroadcastSigner
    /// The highest revocation seq Redis has accepted.
    private(set) var published: Int64
    /// Whether a publish is on its way; the next one waits its turn.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(
        publisher: RedisClient, channel: String, backoff: RedisBackoff, signer: any BroadcastSigner, logger: Logger,
        now: @escaping @Sendable () -> Instant, published: Int64
    ) {
        self.signer = signer
        self.publisher = publisher
        self.channel = channel
        self.backoff = backoff
        self.logger = logger
        self.now = now
        self.published = published
    }

    /// Publishes signed revocations in one pipelined call, retrying with backoff until Redis takes them.
    func publish(_ batch: [RevocationLog.Signed]) async throws {
        guard let last = batch.last else { return }
        await acquire()
        defer { release() }
        let payloads = batch.map { Array($0.message.utf8) }
        var failures = 0
        while true {
            do {
                _ = try await publisher.publish(channel: channel, messages: payloads)
                if failures > 0 { logger.info("relay publishing again", metadata: ["channel": "\(channel)"]) }
                published = max(published, last.seq)
                return
            } catch {
                failures += 1
                if failures == 1 || failures.isMultiple(of: 30) {
                    logger.warning(
                        "relay cannot publish, retrying", metadata: ["channel": "\(channel)", "error": "\(error)", "attempts": "\(failures)"]
                    )
                }
                try await Task.sleep(for: backoff.delay(afterFailures: failures))
            }
        }
    }

    /// Publishes one signed heartbeat with the highest seq published, unless a publish is on its
    /// way. One attempt: while Redis is unreachable the batches' retries report it.
    func heartbeat() async {
        guard !busy else { return }
        busy = true
        defer { release() }
        let at = now()
        let message = BroadcastMessage.heartbeat(seq: published, issuer: signer.issuer, jti: LedgerID.make(at: at), signedAt: at)
        do {
            let compact = try await signer.sign(message)
            _ = try await publisher.publish(channel: channel, messages: [Array(compact.utf8)])
        } catch {
            logger.debug("relay heartbeat not sent", metadata: ["channel": "\(channel)", "error": "\(type(of: error))"])
        }
    }

    private func acquire() async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
    }

    /// Hands the turn to the next waiting publish, or frees it.
    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
