import Hummingbird
import LedgerDomain
import LedgerService

/// `POST /admin/revocations` (docs/http-api.md) through ``AdminRevocations``.
package enum AdminRevocationRoutes {
    /// Adds the route to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let revocations = services.revocations
        group.post("revocations") { request, _ -> Response in
            do throws(AdminError) {
                let body = try await AdminJSON.decode(RevocationRequest.self, from: request, invalid: AdminError.invalidRequest)
                let (target, reason) = try body.parsed()
                let metadata = AdminClientRoutes.eventMetadata(request)
                do throws(RevocationError) {
                    return AdminJSON.response(try await revocations.revoke(target, reason: reason, by: metadata))
                } catch {
                    throw AdminError(error)
                }
            } catch {
                return error.response()
            }
        }
    }
}
