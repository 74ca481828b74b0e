import PostgresNIO
import Synchronization

extension PostgresClient {
    /// How long a caller waits for a pool connection before the database counts as unreachable
    /// (5 s unless ``setLeaseWait(_:)`` changed it). postgres-nio keeps lease requests waiting
    /// while it fails to connect, until its circuit breaker trips a minute later: without a
    /// bound of our own, every request would hang that long before it could answer 503.
    package static var leaseWait: Duration { .nanoseconds(leaseWaitNanoseconds.load(ordering: .relaxed)) }

    /// Sets ``leaseWait`` for the process: for test harnesses, whose hundreds of parallel tests
    /// on two cores can make opening a connection take longer than a real outage should.
    package static func setLeaseWait(_ wait: Duration) {
        leaseWaitNanoseconds.store(wait.nanoseconds, ordering: .relaxed)
    }

    private static let leaseWaitNanoseconds = Atomic<Int64>(5_000_000_000)

    /// Runs `body` with a pool connection, or throws ``LeaseTimeout`` when none is handed out
    /// within `wait`. Only the wait is bounded, not `body`. Exactly one of the two happens: a
    /// connection handed out after the deadline is given back unused, so `body` never runs
    /// once the caller has been told it timed out.
    func withConnection<Result: Sendable>(
        waitingAtMost wait: Duration, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let race = LeaseRace()
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await self.withConnection { connection in
                    race.settle() ? try await body(connection) : nil
                }
            }
            group.addTask {
                // Cancelled (the caller is): the lease is cancelled with it, and only its own
                // outcome may end the wait, or `body` could still be running when this returns.
                do { try await Task.sleep(for: wait) } catch { return nil }
                if race.settle() { throw LeaseTimeout(wait: wait) }
                return nil
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            throw LeaseTimeout(wait: wait)
        }
    }
}

/// Who settled a bounded lease first: the connection or the deadline.
private final class LeaseRace: Sendable {
    private let settled = Atomic<Bool>(false)

    /// True for the first caller only.
    func settle() -> Bool {
        settled.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
    }
}

/// No pool connection was handed out in time: the database is unreachable, or every
/// connection is busy.
package struct LeaseTimeout: Error, CustomStringConvertible {
    /// How long the caller waited.
    package var wait: Duration
    package var description: String { "no database connection within \(wait)" }
}
