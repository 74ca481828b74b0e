import Hummingbird
import Logging
import PostgresNIO

/// `/healthz` (the process is up) and `/readyz` (the database answers) on the admin router.
public enum HealthRoutes {
    /// Adds the health endpoints to a router.
    public static func add(to router: Router<BasicRequestContext>, database: PostgresClient, logger: Logger) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            do {
                try await database.query("SELECT 1", logger: logger)
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "database unavailable\n")))
            }
        }
    }
}
