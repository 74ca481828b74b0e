import HTTPTypes
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
        router.post("/token") { request, context in
            await token.handle(request, requestID: context.id, address: services.clientAddresses.address(of: request, context: context))
        }
        router.post("/revoke") { request, context in
            await revocation.handle(request, requestID: context.id, address: services.clientAddresses.address(of: request, context: context))
        }
        router.post("/introspect") { request, _ in await introspection.handle(request) }
        for path in ["/token", "/revoke", "/introspect"] {
            for method in [HTTPRequest.Method.get, .put, .patch, .delete] {
                router.on(RouterPath(path), method: method) { _, _ in Self.methodNotAllowed }
            }
        }
    }

    /// The answer to any method but POST on these endpoints (RFC 9110 §15.5.6): 405 with `Allow`.
    static var methodNotAllowed: Response {
        var response = OAuthError("invalid_request", "this endpoint accepts POST only", status: .methodNotAllowed).response()
        response.headers[.allow] = "POST"
        return response
    }
}
