import Hummingbird
import Logging
import Synchronization
import PostgresNIO
import LedgerService

/// `/healthz` (the process is up) and `/readyz` (it can serve: the database answers and a
/// signing key is loaded) on the admin router.
package enum HealthRoutes {
    /// How long `/readyz` waits for the database before answering 503 by default, so the answer
    /// comes within a second: a load balancer must hear "not ready" promptly while the database
    /// is unreachable.
    package static let databaseWait: Duration = .milliseconds(750)

    /// Adds the health endpoints to a router; `/readyz` waits at most `databaseWait` for the
    /// database.
    package static func add(
        to router: Router<BasicRequestContext>,
        database: PostgresClient,
        keys: KeyRing,
        databaseWait: Duration = databaseWait,
        logger: Logger
    ) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            // The key ring loads (or creates) its keys as a service of its own, beside the
            // listeners: until then a token request could only answer 503.
            guard await keys.signingKeyID != nil else { return unavailable("no signing key loaded yet") }
            guard await databaseAnswers(database, within: databaseWait, logger: logger) else { return unavailable("database unavailable") }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        }
    }

    /// Whether `SELECT 1` succeeds within `wait`. The answer does not wait for a hung query: the
    /// query is cancelled in the background.
    private static func databaseAnswers(_ database: PostgresClient, within wait: Duration, logger: Logger) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answered = Mutex(false)
            let resume = { @Sendable (ready: Bool) in
                let first = answered.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: ready) }
            }
            let query = Task { resume((try? await database.query("SELECT 1", logger: logger)) != nil) }
            Task {
                try? await Task.sleep(for: wait)
                resume(false)
                query.cancel()
            }
        }
    }

    private static func unavailable(_ reason: String) -> Response {
        Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
    }
}
