import Hummingbird

/// The OpenID Connect routes beyond the code flow (docs/http-api.md): `GET|POST /userinfo` (OIDC Core
/// §5.3) and `GET|POST /logout`, the end_session_endpoint (RP-Initiated Logout 1.0).
package enum OIDCRoutes {
    /// Adds the routes.
    package static func add(to router: Router<PublicRequestContext>, _ services: LedgerServices) {
        let userInfo = UserInfoEndpoint(shared: TokenServices(services))
        let logout = LogoutEndpoint(services: services)
        router.get("/userinfo") { request, _ in await userInfo.handle(request) }
        router.post("/userinfo") { request, _ in await userInfo.handle(request) }
        router.get("/logout") { request, context in await logout.handle(request, context: context) }
        router.post("/logout") { request, context in await logout.handle(request, context: context) }
    }
}
