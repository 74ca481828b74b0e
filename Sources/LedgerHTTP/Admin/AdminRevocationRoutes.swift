import Hummingbird
import LedgerDomain

/// `POST /admin/revocations` (docs/http-api.md) through ``AdminRevocations``.
package enum AdminRevocationRoutes {
    /// Adds the route to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let revocations = AdminRevocations(services)
        group.post("revocations") { request, _ -> Response in
            do throws(AdminError) {
                let body = try await AdminJSON.decode(RevocationRequest.self, from: request, invalid: AdminError.invalidRequest)
                let (target, reason) = try body.parsed()
                let revocation = try await revocations.revoke(target, reason: reason, by: AdminClientRoutes.eventMetadata(request))
                return AdminJSON.response(revocation)
            } catch {
                return error.response()
            }
        }
    }
}
