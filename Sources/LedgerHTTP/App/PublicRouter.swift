import Hummingbird

/// The public listener's routes (docs/http-api.md).
package enum PublicRouter {
    /// Builds the router.
    package static func build(_ services: LedgerServices) -> Router<PublicRequestContext> {
        let router = Router(context: PublicRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: services.logger))
        DiscoveryRoutes.add(to: router, services)
        AuthorizeRoutes.add(to: router, services)
        TokenRoutes.add(to: router, services)
        OIDCRoutes.add(to: router, services)
        RevocationFeedRoutes.add(to: router, services)
        return router
    }
}
