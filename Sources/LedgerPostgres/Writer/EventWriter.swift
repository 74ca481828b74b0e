import Foundation
import LedgerDomain
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The group-commit writer: one per process. Concurrent appends are queued; one loop takes
/// everything queued (one append per stream per batch), and commits it with a single
/// `ledger_append` statement: one transaction, one contiguous range of sequence numbers. Each
/// caller resumes once its batch has committed (I1).
///
/// Batches from several processes are serialized by the row lock on `ledger_head`; the head
/// is cached between batches and re-read only when another process moved it.
package final class EventWriter: Service, Sendable {
    /// Tuning knobs.
    package struct Configuration: Sendable {
        /// Upper bound on events per batch.
        package var maxBatchEvents: Int = 4096
        /// How long the writer may wait, after answering a batch, for those callers to append
        /// again (see ``GatherPolicy``); zero never waits.
        package var gatherWindow: Duration = .microseconds(150)
        /// How long the loop waits for a database connection before it fails the batch it holds
        /// as `unavailable` (and tries again with the next).
        package var connectionWait: Duration = PostgresClient.leaseWait

        /// Creates the default configuration.
        package init() {}
    }

    /// An append waiting for its batch, with the caller to answer.
    private struct Item: Sendable, WriterQueueItem {
        let append: PendingAppend
        let continuation: CheckedContinuation<Result<AppendReceipt, LedgerStoreError>, Never>

        var stream: StreamID { append.stream }
        var eventCount: Int { append.events.count }
    }

    private let client: PostgresClient
    private let logger: Logger
    private let configuration: Configuration
    private let now: @Sendable () -> Instant
    private let queue = Mutex(WriterQueue<Item, CheckedContinuation<Void, Never>>())
    private let batchEvents = Recorder(label: "tokenledger_writer_batch_events")
    private let commitLatency = Metrics.Timer(label: "tokenledger_writer_commit_seconds")

    /// Creates a writer over a running `PostgresClient`; `now` stamps each batch's
    /// `occurred_at`. Call ``run()`` (or add it to a `ServiceGroup`) before appending.
    package init(
        client: PostgresClient, logger: Logger, configuration: Configuration = Configuration(),
        now: @escaping @Sendable () -> Instant = Instant.current
    ) {
        self.client = client
        self.logger = logger
        self.configuration = configuration
        self.now = now
    }

    /// Appends events to one stream if it is still at the expected version (and every stream of
    /// its read set at the version read), returning once they are committed.
    package func append(_ append: PendingAppend) async throws(LedgerStoreError) -> AppendReceipt {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<AppendReceipt, LedgerStoreError>, Never>) in
            let item = Item(append: append, continuation: continuation)
            switch queue.withLock({ $0.enqueue(item) }) {
            case .queued(let wake): wake?.resume()
            case .refused: continuation.resume(returning: .failure(LedgerStoreError(.shutdown, "writer is shut down")))
            }
        }
        return try result.get()
    }

    /// Runs the batching loop until cancelled or shut down gracefully; then drains what is queued.
    package func run() async {
        await withTaskCancellationOrGracefulShutdownHandler {
            var state = LoopState(gathering: GatherPolicy(window: configuration.gatherWindow))
            while true {
                if state.batch == nil { state.batch = await nextBatch() }
                guard state.batch != nil else { return }
                do {
                    // One connection for batch after batch: a lease per batch cost a tenth of the
                    // throughput. A closed one is given back (nothing was sent on it) and replaced.
                    // The wait for it is bounded: while the database is unreachable, callers are
                    // answered `unavailable` after `connectionWait` rather than after the pool's
                    // own minute.
                    let start = state
                    state = try await client.withConnection(waitingAtMost: configuration.connectionWait) { connection in
                        await self.drain(start, on: connection)
                    }
                } catch {
                    // `batch` is set only while unsent. The appends that arrived while this wait
                    // ran fail with it: each caller hears `unavailable` within one wait of its
                    // arrival, never after a second wait chained onto the first.
                    logger.error("no database connection for the writer", metadata: ["error": "\(PostgresErrorSummary(error))"])
                    let failure = LedgerStoreError(.unavailable, "no database connection: \(PostgresErrorSummary(error))")
                    if let unsent = state.batch { fail(unsent, failure) }
                    fail(queue.withLock { $0.takeAll() }, failure)
                    state.batch = nil
                    state.head = nil
                    continue
                }
                if let waiting = state.batch {
                    // Handed a connection that was already closed, more than a few times in a row.
                    state.closedLeases += 1
                    if state.closedLeases >= 3 {
                        fail(waiting, LedgerStoreError(.unavailable, "the database connection closed before the statement was sent"))
                        state.batch = nil
                        state.head = nil
                    }
                }
            }
        } onCancelOrGracefulShutdown: {
            for parked in self.queue.withLock({ $0.close() }) { parked.resume() }
        }
    }

    /// What the batching loop carries from one leased connection to the next.
    private struct LoopState: Sendable {
        /// The head the next batch chains onto; nil when unknown.
        var head: ChainHead?
        /// The batch taken but not yet sent.
        var batch: [Item]?
        /// Connections in a row found closed before anything was sent on them.
        var closedLeases = 0
        var gathering: GatherPolicy
    }

    /// Commits batch after batch on one connection, on its event loop (see
    /// ``EventLoopTaskExecutor``), until the queue is closed and drained or the connection is
    /// found closed with a batch still unsent.
    private func drain(_ start: LoopState, on connection: PostgresConnection) async -> LoopState {
        var state = start
        await withTaskExecutorPreference(EventLoopTaskExecutor(connection.eventLoop)) {
            while let current = state.batch {
                guard !connection.isClosed else { return }
                state.batch = nil
                let committed = await commit(current, head: state.head, on: connection)
                state.head = committed.head
                state.closedLeases = 0
                if let target = state.gathering.target(answered: current.count, queued: committed.queuedWhenAnswered) {
                    state.gathering.record(queued: await gather(target, on: connection.eventLoop))
                }
                state.batch = await nextBatch()
            }
        }
        return state
    }

    /// Waits until `target` appends are queued or the gather window closes; returns how many
    /// are queued then.
    private func gather(_ target: Int, on eventLoop: any EventLoop) async -> Int {
        var timer: Scheduled<Void>?
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            guard queue.withLock({ $0.gather(continuation, until: target) }) else { return continuation.resume() }
            timer = eventLoop.scheduleTask(in: .nanoseconds(configuration.gatherWindow.nanoseconds)) {
                self.queue.withLock { $0.endGathering() }?.resume()
            }
        }
        timer?.cancel()
        return queue.withLock { $0.count }
    }

    /// Waits for work; takes at most one append per stream, in arrival order. Nil once closed
    /// and drained.
    private func nextBatch() async -> [Item]? {
        while true {
            switch queue.withLock({ $0.take(maxEvents: configuration.maxBatchEvents) }) {
            case .batch(let items): return items
            case .done: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    if !queue.withLock({ $0.park(continuation) }) { continuation.resume() }
                }
            }
        }
    }

    /// Commits one batch, dropping appends whose stream moved (version conflict) and retrying
    /// the rest. Returns the head to assume next time (nil when unknown) and how many appends
    /// were queued just before the batch's callers were answered (those cannot be theirs).
    private func commit(_ batch: [Item], head: ChainHead?, on connection: PostgresConnection) async -> (head: ChainHead?, queuedWhenAnswered: Int) {
        var items = batch
        var head = head
        let started = ContinuousClock.now
        for _ in 0..<100 {
            let call: AppendBatch
            do {
                call = try AppendBatch(
                    head: head ?? ChainHead(seq: -1, hash: Data()), appends: items.map(\.append), occurredAtMilliseconds: now().milliseconds
                )
            } catch {
                fail(items, error)
                return (head, 0)
            }
            let outcome: LedgerCommitAnswer
            do {
                outcome = try await LedgerCommitAnswer.call(call, head: head, on: connection, logger: logger)
            } catch {
                logger.error("event batch failed", metadata: ["error": "\(PostgresErrorSummary(error))", "appends": "\(items.count)"])
                fail(items, LedgerStoreError(.unavailable, "append failed: \(PostgresErrorSummary(error))"))
                return (nil, 0)
            }
            switch outcome {
            case .committed:
                batchEvents.record(call.eventTypes.count)
                commitLatency.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                let queued = queue.withLock { $0.count }
                for (item, receipt) in zip(items, call.receipts) { item.continuation.resume(returning: .success(receipt)) }
                return (call.newHead, queued)
            case .stale(let current):
                head = current
            case .conflict(let indexes):
                items = Self.fail(items, at: indexes) { item in
                    LedgerStoreError(.versionConflict, "stream \(item.append.stream) moved past version \(item.append.expectedVersion)")
                }
                if items.isEmpty { return (head, 0) }
            case .staleRead(let indexes):
                items = Self.fail(items, at: indexes) { item in
                    LedgerStoreError(.staleRead, "a stream read by the append to \(item.append.stream) has moved")
                }
                if items.isEmpty { return (head, 0) }
            }
        }
        fail(items, LedgerStoreError(.contention, "chain head kept moving; batch abandoned"))
        return (nil, 0)
    }
}

extension EventWriter {
    /// Fails every append of a batch.
    private func fail(_ items: [Item], _ error: LedgerStoreError) {
        items.forEach { $0.continuation.resume(returning: .failure(error)) }
    }

    /// Fails the appends at these 1-based indexes; returns the others, to be tried again.
    private static func fail(_ items: [Item], at indexes: [Int], with error: (Item) -> LedgerStoreError) -> [Item] {
        let losing = Set(indexes.map { $0 - 1 })
        var rest: [Item] = []
        for (index, item) in items.enumerated() {
            if losing.contains(index) { item.continuation.resume(returning: .failure(error(item))) } else { rest.append(item) }
        }
        return rest
    }
}

extension Duration {
    /// The duration in nanoseconds.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
