import Hummingbird

/// `GET` and `POST /authorize`: the authorization code flow with the built-in login page
/// (docs/http-api.md, RFC 6749 §4.1, RFC 7636, RFC 9207, OIDC Core §3.1.2).
package enum AuthorizeRoutes {
    /// Adds the routes. The login throttle lives as long as the router (per replica).
    package static func add<Context: RequestContext>(to router: Router<Context>, _ services: LedgerServices) {
        let endpoint = AuthorizeEndpoint(services: services)
        router.get("/authorize") { request, context in await endpoint.start(request, context: context) }
        router.post("/authorize") { request, context in await endpoint.finishLogin(request, context: context) }
    }
}
