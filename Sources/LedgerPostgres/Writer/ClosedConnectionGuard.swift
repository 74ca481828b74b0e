import PostgresNIO
import Synchronization

/// Runs one statement so that it cannot hang forever on a dead connection.
///
/// PostgresNIO 1.33 writes a query to the channel without a write promise: if the channel has
/// already closed when the write reaches it, the failure is dropped and the query's own promise
/// is never completed, and the awaiting task ignores cancellation. The pool can hand out a
/// connection in the instant after the server closed it (`pg_terminate_backend`, a failover, a
/// restart), so without this guard the writer's loop — and with it every append of the
/// process — could block for good. Such a statement was never sent, so failing it as
/// `unavailable` is exact. (A statement that did reach a connection which then dies fails
/// normally, with the connection error.)
enum ClosedConnectionGuard {
    /// How often the watchdog looks at the connection, and how long it lets a normal failure
    /// arrive after the connection closed.
    static let pollInterval: Duration = .milliseconds(50)
    static let grace: Duration = .milliseconds(500)

    /// Runs `body` on `connection`, failing with `unavailable` if the connection is closed
    /// already (nothing is sent) or turns out closed while `body` does not finish by itself.
    /// After a fatal error it keeps the connection until it has closed, so that its pool cannot
    /// hand it to the next statement in the meantime.
    static func run<T: Sendable>(
        on connection: PostgresConnection, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        guard !connection.isClosed else { throw closed }
        do {
            return try await watched(connection, body)
        } catch {
            if isFatal(error) { await awaitClose(connection, within: .seconds(1)) }
            throw error
        }
    }

    private static func watched<T: Sendable>(
        _ connection: PostgresConnection, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            let watch = ClosedConnectionWatchdog.shared.watch(connection) { once.resume(.failure(closed)) }
            // On the connection's event loop, as the writer is: no thread hop to send or to answer.
            Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop)) {
                let result: Result<T, any Error>
                do { result = .success(try await body(connection)) } catch { result = .failure(error) }
                ClosedConnectionWatchdog.shared.unwatch(watch)
                once.resume(result)
            }
        }
    }

    /// Whether `error` ends the connection: a client-side connection error, or a FATAL server error.
    private static func isFatal(_ error: any Error) -> Bool {
        if error is LedgerStoreError { return true }  // the watchdog's: the connection is closed
        guard let error = error as? PSQLError else { return false }
        guard let severity = error.serverInfo?[.severity] else { return true }
        return severity == "FATAL" || severity == "PANIC"
    }

    /// Returns once `connection` has closed (its pool has been told by then), or after `limit`.
    private static func awaitClose(_ connection: PostgresConnection, within limit: Duration) async {
        _ = try? await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let once = ResumeOnce(continuation)
            connection.closeFuture.whenComplete { _ in once.resume(.success(())) }
            Task {
                try? await Task.sleep(for: limit)
                once.resume(.success(()))
            }
        }
    }

    private static var closed: LedgerStoreError {
        LedgerStoreError(.unavailable, "the database connection closed before the statement was answered")
    }
}

/// The statements running under the guard, watched by one polling task for the whole process
/// (running only while there is something to watch): a per-statement timer would cost the
/// writer a fifth of its throughput.
private final class ClosedConnectionWatchdog: Sendable {
    static let shared = ClosedConnectionWatchdog()

    private struct Watched {
        let connection: PostgresConnection
        let fail: @Sendable () -> Void
        /// When the poller first saw the connection closed.
        var closedAt: ContinuousClock.Instant?
    }

    private struct State {
        var next = 0
        var watched: [Int: Watched] = [:]
        var polling = false
    }

    private let state = Mutex(State())

    /// Watches a statement on `connection`: `fail` runs if the connection is seen closed and the
    /// statement is still unwatched ``ClosedConnectionGuard/grace`` later. Returns the watch's id.
    func watch(_ connection: PostgresConnection, fail: @escaping @Sendable () -> Void) -> Int {
        let (id, startPolling) = state.withLock { state -> (Int, Bool) in
            defer { state.next += 1 }
            state.watched[state.next] = Watched(connection: connection, fail: fail)
            let start = !state.polling
            state.polling = true
            return (state.next, start)
        }
        if startPolling { Task { await self.poll() } }
        return id
    }

    /// The statement finished by itself.
    func unwatch(_ id: Int) {
        _ = state.withLock { $0.watched.removeValue(forKey: id) }
    }

    private func poll() async {
        while true {
            try? await Task.sleep(for: ClosedConnectionGuard.pollInterval)
            let now = ContinuousClock.now
            let (failing, more) = state.withLock { state -> ([@Sendable () -> Void], Bool) in
                var failing: [@Sendable () -> Void] = []
                for id in Array(state.watched.keys) {
                    guard var watched = state.watched[id], watched.connection.isClosed else { continue }
                    if let closedAt = watched.closedAt {
                        guard now - closedAt >= ClosedConnectionGuard.grace else { continue }
                        failing.append(watched.fail)
                        state.watched[id] = nil
                    } else {
                        watched.closedAt = now
                        state.watched[id] = watched
                    }
                }
                state.polling = !state.watched.isEmpty
                return (failing, state.polling)
            }
            failing.forEach { $0() }
            guard more else { return }
        }
    }
}

/// A continuation resumed by whichever side finishes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
