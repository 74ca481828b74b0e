import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

/// `POST /admin/clients` (RFC 7591 registration), `GET /admin/clients`, `GET` and
/// `DELETE /admin/clients/{id}`, all through ``ClientRegistration``.
package enum AdminClientRoutes {
    /// Adds the routes to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let registration = services.registration
        group.post("clients") { request, _ -> Response in
            do throws(AdminError) {
                let metadata = try await AdminJSON.decode(ClientMetadata.self, from: request, invalid: AdminError.invalidClientMetadata)
                let registered = try await answering { try await registration.register(metadata, by: eventMetadata(request)) }
                return AdminJSON.response(
                    ClientInformation(registered.client, secret: registered.secret, showActive: false), status: .created
                )
            } catch {
                return error.response()
            }
        }
        group.get("clients") { _, _ -> Response in
            do throws(AdminError) {
                let clients = try await answering { try await registration.all() }
                return AdminJSON.response(["clients": clients.map { ClientInformation($0) }])
            } catch {
                return error.response()
            }
        }
        group.get("clients/{id}") { _, context -> Response in
            do throws(AdminError) {
                let id = context.parameters.get("id") ?? ""
                guard let client = try await answering({ try await registration.client(ClientID(id)) }) else {
                    return AdminError.notFound("no client with this client_id").response()
                }
                return AdminJSON.response(ClientInformation(client))
            } catch {
                return error.response()
            }
        }
        group.delete("clients/{id}") { request, context -> Response in
            do throws(AdminError) {
                let id = context.parameters.get("id") ?? ""
                _ = try await answering { try await registration.deactivate(ClientID(id), by: eventMetadata(request)) }
                return Response(status: .noContent)
            } catch {
                return error.response()
            }
        }
    }

    /// Runs a registration call, answering its failure as the admin API's error.
    static func answering<T>(_ body: () async throws -> T) async throws(AdminError) -> T {
        do {
            return try await body()
        } catch let error as ClientRegistrationError {
            throw AdminError(error)
        } catch {
            throw .unavailable("client registration failed")
        }
    }

    /// Who did it: the admin, with the request id when the caller sent one.
    static func eventMetadata(_ request: Request) -> EventMetadata {
        EventMetadata(actor: "admin", requestID: request.headers[HTTPField.Name("X-Request-ID")!].map { String($0.prefix(128)) })
    }
}
