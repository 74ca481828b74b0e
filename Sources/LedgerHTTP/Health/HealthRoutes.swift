import Hummingbird
import Logging
import PostgresNIO
import LedgerService

/// `/healthz` (the process is up) and `/readyz` (it can serve: the database answers and a
/// signing key is loaded) on the admin router.
package enum HealthRoutes {
    /// Adds the health endpoints to a router.
    package static func add(to router: Router<BasicRequestContext>, database: PostgresClient, keys: KeyRing, logger: Logger) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            // The key ring loads (or creates) its keys as a service of its own, beside the
            // listeners: until then a token request could only answer 503.
            guard await keys.signingKeyID != nil else { return unavailable("no signing key loaded yet") }
            do {
                try await database.query("SELECT 1", logger: logger)
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                return unavailable("database unavailable")
            }
        }
    }

    private static func unavailable(_ reason: String) -> Response {
        Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: reason + "\n")))
    }
}
