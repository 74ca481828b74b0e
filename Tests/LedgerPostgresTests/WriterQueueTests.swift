import LedgerDomain
@testable import LedgerPostgres
import Testing

/// The writer's queue without locks or I/O: who is woken when, and what a batch holds.
@Suite struct WriterQueueTests {
    struct Append: WriterQueueItem, Equatable {
        var stream: StreamID
        var eventCount: Int
        var name: String
    }

    static func append(_ name: String, stream: String, events: Int = 1) -> Append {
        Append(stream: StreamID(kind: "grant", id: stream), eventCount: events, name: name)
    }

    static func names(_ take: WriterQueue<Append, String>.Take) -> [String]? {
        if case .batch(let items) = take { items.map(\.name) } else { nil }
    }

    @Test func aParkedLoopIsWokenByTheNextAppendOnlyOnce() {
        var queue = WriterQueue<Append, String>()
        guard case .wait = queue.take(maxEvents: 10) else { Issue.record("an empty queue has no batch"); return }
        let parked = queue.park("loop")
        #expect(parked)
        guard case .queued(let first) = queue.enqueue(Self.append("a", stream: "1")),
            case .queued(let second) = queue.enqueue(Self.append("b", stream: "2"))
        else { Issue.record("refused while open"); return }
        #expect(first == "loop")
        #expect(second == nil)
        let parkedAgain = queue.park("loop")
        #expect(!parkedAgain, "work is queued: do not wait")
        let batch = queue.take(maxEvents: 10)
        #expect(Self.names(batch) == ["a", "b"])
    }

    @Test func aBatchTakesOneAppendPerStreamInArrivalOrderUpToTheEventLimit() {
        var queue = WriterQueue<Append, String>()
        for (name, stream, events) in [("a", "1", 2), ("b", "1", 1), ("c", "2", 3), ("d", "3", 1), ("e", "4", 1)] {
            _ = queue.enqueue(Self.append(name, stream: stream, events: events))
        }
        // a (2) and c (3) reach the limit of 5; b waits for stream 1's next batch.
        let first = queue.take(maxEvents: 5)
        #expect(Self.names(first) == ["a", "c"])
        #expect(queue.count == 3)
        let second = queue.take(maxEvents: 5)
        #expect(Self.names(second) == ["b", "d", "e"])
        // One append larger than the limit still goes alone.
        _ = queue.enqueue(Self.append("huge", stream: "9", events: 50))
        let alone = queue.take(maxEvents: 5)
        #expect(Self.names(alone) == ["huge"])
    }

    @Test func aGatheringLoopIsWokenWhenItsTargetIsQueuedOrTheWindowCloses() {
        var queue = WriterQueue<Append, String>()
        _ = queue.enqueue(Self.append("a", stream: "1"))
        let noWait = queue.gather("loop", until: 1)
        #expect(!noWait, "already there: no wait")
        let waits = queue.gather("loop", until: 3)
        #expect(waits)
        guard case .queued(let early) = queue.enqueue(Self.append("b", stream: "2")),
            case .queued(let full) = queue.enqueue(Self.append("c", stream: "3"))
        else { Issue.record("refused while open"); return }
        #expect(early == nil)
        #expect(full == "loop")
        let afterWake = queue.endGathering()
        #expect(afterWake == nil, "already woken")
        let waitsAgain = queue.gather("loop", until: 10)
        #expect(waitsAgain)
        let windowClosed = queue.endGathering()
        #expect(windowClosed == "loop")
        let twice = queue.endGathering()
        #expect(twice == nil)
    }

    @Test func closingWakesEveryoneRefusesAppendsAndDrainsWhatIsQueued() {
        var queue = WriterQueue<Append, String>()
        _ = queue.enqueue(Self.append("a", stream: "1"))
        let gathering = queue.gather("gatherer", until: 5)
        #expect(gathering)
        let woken = queue.close()
        #expect(woken == ["gatherer"])
        guard case .refused = queue.enqueue(Self.append("late", stream: "2")) else { Issue.record("accepted after close"); return }
        let parks = queue.park("loop")
        let gathers = queue.gather("loop", until: 5)
        #expect(!parks && !gathers)
        let drained = queue.take(maxEvents: 10)
        #expect(Self.names(drained) == ["a"])
        guard case .done = queue.take(maxEvents: 10) else { Issue.record("a closed, drained queue is done"); return }
    }
}
