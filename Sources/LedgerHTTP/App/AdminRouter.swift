import Hummingbird

/// The admin listener's routes (§5.2): health without authentication, everything else behind
/// the admin bearer key.
public enum AdminRouter {
    /// Builds the router.
    public static func build(_ services: LedgerServices) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestLogMiddleware(logger: services.logger))
        HealthRoutes.add(to: router, database: services.database, logger: services.logger)
        let admin = router.group("admin").add(middleware: AdminAuthMiddleware(token: services.adminToken))
        _ = admin
        return router
    }
}
