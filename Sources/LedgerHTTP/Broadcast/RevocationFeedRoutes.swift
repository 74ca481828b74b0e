import Hummingbird

/// The catch-up feed of the revocation broadcast (docs/broadcast.md): `GET /revocations?after=SEQ`.
package enum RevocationFeedRoutes {
    /// Adds the route.
    package static func add(to router: Router<PublicRequestContext>, _ services: LedgerServices) {
        let feed = RevocationFeedEndpoint(shared: TokenServices(services))
        router.get("/revocations") { request, _ in await feed.handle(request) }
    }
}
