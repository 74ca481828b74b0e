import LedgerDomain

/// The group-commit writer's queue as a pure state machine: appends wait in it, the batching
/// loop takes batches from it or parks, and a gathering loop waits for a number of appends.
/// Every operation answers which parked party to resume; ``EventWriter`` keeps the queue under
/// a mutex and does the resuming, outside the lock. No I/O, no clock, no continuations of its
/// own: `Waiter` is whatever the writer resumes (a continuation; a plain value in tests).
struct WriterQueue<Item: WriterQueueItem, Waiter> {
    /// What taking a batch found.
    enum Take {
        /// At most one append per stream, in arrival order, up to the event limit.
        case batch([Item])
        /// Nothing queued: park the loop with ``park(_:)``.
        case wait
        /// Closed and drained: the loop ends.
        case done
    }

    private var pending: [Item] = []
    /// The loop, parked until an append arrives.
    private var waiter: Waiter?
    /// The loop gathering: resumed once `pending` holds `gatherTarget` appends.
    private var gatherer: Waiter?
    private var gatherTarget = 0
    private(set) var closed = false

    /// An empty, open queue.
    init() {}

    /// How many appends are queued.
    var count: Int { pending.count }

    /// What queuing an append did.
    enum Enqueued {
        /// The queue is closed: fail the append.
        case refused
        /// Queued; resume this party, if any: the gathering loop once its target is reached,
        /// else the parked loop.
        case queued(wake: Waiter?)
    }

    /// Queues an append.
    mutating func enqueue(_ item: Item) -> Enqueued {
        guard !closed else { return .refused }
        pending.append(item)
        if let gatherer, pending.count >= gatherTarget {
            self.gatherer = nil
            return .queued(wake: gatherer)
        }
        defer { waiter = nil }
        return .queued(wake: waiter)
    }

    /// Takes the next batch: at most one append per stream (the others stay queued, in order)
    /// and at most `maxEvents` events, unless the first append alone holds more.
    mutating func take(maxEvents: Int) -> Take {
        if pending.isEmpty { return closed ? .done : .wait }
        var taken: [Item] = []
        var rest: [Item] = []
        var streams = Set<StreamID>()
        var events = 0
        for item in pending {
            if events < maxEvents, streams.insert(item.stream).inserted {
                taken.append(item)
                events += item.eventCount
            } else {
                rest.append(item)
            }
        }
        pending = rest
        return .batch(taken)
    }

    /// Takes every queued append (to fail them all).
    mutating func takeAll() -> [Item] {
        defer { pending = [] }
        return pending
    }

    /// Parks the loop until an append arrives; false when it must not wait (work is queued, or
    /// the queue is closed): resume it at once.
    mutating func park(_ loop: Waiter) -> Bool {
        guard pending.isEmpty, !closed else { return false }
        waiter = loop
        return true
    }

    /// Parks the loop until `target` appends are queued; false when they already are (or the
    /// queue is closed): resume it at once.
    mutating func gather(_ loop: Waiter, until target: Int) -> Bool {
        guard pending.count < target, !closed else { return false }
        (gatherer, gatherTarget) = (loop, target)
        return true
    }

    /// The gather window closed: the gathering loop to resume, if it still waits.
    mutating func endGathering() -> Waiter? {
        defer { gatherer = nil }
        return gatherer
    }

    /// Closes the queue: later appends are refused. Returns the parked parties to resume; the
    /// loop then drains what is queued.
    mutating func close() -> [Waiter] {
        closed = true
        defer { (waiter, gatherer) = (nil, nil) }
        return [waiter, gatherer].compactMap { $0 }
    }
}

/// What the queue needs to know of an append.
protocol WriterQueueItem {
    /// The stream it appends to: a batch holds at most one append per stream.
    var stream: StreamID { get }
    /// How many events it appends.
    var eventCount: Int { get }
}
