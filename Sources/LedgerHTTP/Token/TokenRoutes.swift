import Hummingbird

/// The token service's public routes: `POST /token`, `POST /revoke`, `POST /introspect`
/// (docs/http-api.md).
package enum TokenRoutes {
    /// Adds the routes.
    package static func add(to router: Router<PublicRequestContext>, _ services: LedgerServices) {
        let shared = TokenServices(services)
        let token = TokenEndpoint(shared: shared)
        let revocation = RevocationEndpoint(shared: shared)
        let introspection = IntrospectionEndpoint(shared: shared)
        router.post("/token") { request, context in await token.handle(request, requestID: context.id) }
        router.post("/revoke") { request, context in await revocation.handle(request, requestID: context.id) }
        router.post("/introspect") { request, _ in await introspection.handle(request) }
    }
}
