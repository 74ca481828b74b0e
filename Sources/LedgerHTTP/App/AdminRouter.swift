import Hummingbird

/// The admin listener's routes (docs/http-api.md): health and `/metrics` without authentication,
/// everything under `/admin` behind the admin bearer key.
package enum AdminRouter {
    /// Builds the router; `/metrics` is served when a metrics registry is given.
    package static func build(_ services: LedgerServices, metrics: MetricsBootstrap? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestLogMiddleware(logger: services.logger))
        HealthRoutes.add(to: router, database: services.database, keys: services.keys, logger: services.logger)
        if let metrics { MetricsRoutes.add(to: router, metrics: metrics) }
        let admin = router.group("admin").add(middleware: AdminAuthMiddleware(token: services.adminToken))
        AdminClientRoutes.add(to: admin, services)
        AdminRevocationRoutes.add(to: admin, services)
        AdminSubjectRoutes.add(to: admin, services)
        AdminSubjectStateRoutes.add(to: admin, services)
        AdminExportRoutes.add(to: admin, services)
        AdminLoginRoutes.add(to: admin, services)
        return router
    }
}
