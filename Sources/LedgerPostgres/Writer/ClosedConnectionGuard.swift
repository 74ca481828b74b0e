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

    /// Runs `body` on a connection leased from `client`, failing with `unavailable` if the
    /// connection turns out closed and `body` does not finish by itself. A connection that is
    /// already closed when leased is replaced (nothing was sent on it), a few times at most.
    static func run<T: Sendable>(
        on client: PostgresClient, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        for attempt in 1... {
            do {
                return try await client.withConnection { connection in
                    guard !connection.isClosed else { throw ClosedBeforeUse() }
                    do {
                        return try await watched(connection, body)
                    } catch {
                        // Keep a dying connection leased until it has closed, so the pool cannot
                        // hand it to the next statement in the meantime.
                        if isFatal(error) { await awaitClose(connection, within: .seconds(1)) }
                        throw error
                    }
                }
            } catch is ClosedBeforeUse where attempt < 3 {
                continue
            } catch is ClosedBeforeUse {
                throw closed
            }
        }
        fatalError("unreachable")
    }

    private struct ClosedBeforeUse: Error {}

    private static func watched<T: Sendable>(
        _ connection: PostgresConnection, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let once = ResumeOnce(continuation)
            let watchdog = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    if connection.isClosed {
                        try? await Task.sleep(for: grace)
                        once.resume(.failure(closed))
                        return
                    }
                }
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await body(connection)) } catch { result = .failure(error) }
                watchdog.cancel()
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
