import Hummingbird

/// `GET /metrics`: the Prometheus text exposition, on the admin listener and outside the
/// admin-key group so a scraper needs no admin key. Labels never carry a secret (I6).
package enum MetricsRoutes {
    /// Adds the route.
    package static func add(to router: Router<BasicRequestContext>, metrics: MetricsBootstrap) {
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition()))
            )
        }
    }
}
