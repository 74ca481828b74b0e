import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService

/// The login and consent apps' API (docs/login-delegation.md): read a challenge's request,
/// accept or reject it (answering where to send the browser), and revoke a remembered consent.
package enum AdminLoginRoutes {
    /// A login request as the login app sees it.
    struct LoginRequestView: Encodable {
        var challenge: String
        var clientID: String
        var clientName: String?
        var requestedScope: [String]
        var requestedResources: [String]
        var prompt: [String]
        var maxAge: Int?
        var loginHint: String?
        var acrValues: [String]
        /// Whether the browser has an OP session the app may accept without asking again.
        var skip: Bool
        /// The session's subject, when `skip`.
        var subject: String
        var sessionID: String?
        var expiresAt: Int64

        enum CodingKeys: String, CodingKey {
            case challenge, clientID = "client_id", clientName = "client_name", requestedScope = "requested_scope"
            case requestedResources = "requested_resources", prompt, maxAge = "max_age", loginHint = "login_hint"
            case acrValues = "acr_values", skip, subject, sessionID = "session_id", expiresAt = "expires_at"
        }
    }

    /// A consent request as the consent app sees it.
    struct ConsentRequestView: Encodable {
        var challenge: String
        var clientID: String
        var clientName: String?
        var requestedScope: [String]
        var requestedResources: [String]
        var subject: String
        var sessionID: String?
        var acr: String?
        var amr: [String]
        var expiresAt: Int64

        enum CodingKeys: String, CodingKey {
            case challenge, clientID = "client_id", clientName = "client_name", requestedScope = "requested_scope"
            case requestedResources = "requested_resources", subject, sessionID = "session_id", acr, amr, expiresAt = "expires_at"
        }
    }

    /// Adds the routes to the (authenticated) admin group.
    package static func add(to group: RouterGroup<BasicRequestContext>, _ services: LedgerServices) {
        let delegation = services.delegation
        group.get("login-requests/{challenge}") { _, context -> Response in
            await answer { () async throws(AdminError) in
                let challenge = context.parameters.get("challenge") ?? ""
                let flow = try await step { () async throws(LoginDelegationError) in try await delegation.flow(challenge: challenge, in: .awaitingLogin) }
                let client = try await client(flow, services)
                let r = flow.request
                return AdminJSON.response(LoginRequestView(
                    challenge: challenge, clientID: r.clientID.rawValue, clientName: client?.registration.clientName,
                    requestedScope: r.scope.values, requestedResources: r.resources?.values ?? [], prompt: r.prompt, maxAge: r.maxAge,
                    loginHint: r.loginHint, acrValues: r.acrValues ?? [], skip: flow.skip != nil, subject: flow.skip?.subject.rawValue ?? "",
                    sessionID: flow.skip?.sessionID.rawValue, expiresAt: flow.expiresAt.seconds
                ))
            }
        }
        group.put("login-requests/{challenge}/accept") { request, context -> Response in
            await answer { () async throws(AdminError) in
                let challenge = context.parameters.get("challenge") ?? ""
                let body = try await AdminJSON.decode(LoginAnswers.LoginAccept.self, from: request, invalid: AdminError.invalidRequest)
                let acceptance = try body.validated(now: services.now())
                let (verifier, _) = try await step { () async throws(LoginDelegationError) in
                    try await delegation.acceptLogin(
                        challenge: challenge, acceptance, answeredBy: "admin", metadata: AdminClientRoutes.eventMetadata(request)
                    )
                }
                return redirect(AuthorizationRedirect.url(services.issuer + "/authorize", [("login_verifier", verifier.text)]))
            }
        }
        group.put("login-requests/{challenge}/reject") { request, context -> Response in
            await reject(request, context, phase: .awaitingLogin, services)
        }
        group.get("consent-requests/{challenge}") { _, context -> Response in
            await answer { () async throws(AdminError) in
                let challenge = context.parameters.get("challenge") ?? ""
                let flow = try await step { () async throws(LoginDelegationError) in try await delegation.flow(challenge: challenge, in: .awaitingConsent) }
                let client = try await client(flow, services)
                let r = flow.request
                return AdminJSON.response(ConsentRequestView(
                    challenge: challenge, clientID: r.clientID.rawValue, clientName: client?.registration.clientName,
                    requestedScope: r.scope.values, requestedResources: r.resources?.values ?? [], subject: flow.login?.subject.rawValue ?? "",
                    sessionID: flow.sessionID?.rawValue, acr: flow.login?.acr, amr: flow.login?.amr ?? [], expiresAt: flow.expiresAt.seconds
                ))
            }
        }
        group.put("consent-requests/{challenge}/accept") { request, context -> Response in
            await answer { () async throws(AdminError) in
                let challenge = context.parameters.get("challenge") ?? ""
                let body = try await AdminJSON.decode(LoginAnswers.ConsentAccept.self, from: request, invalid: AdminError.invalidRequest)
                let acceptance = try body.validated()
                let (verifier, _) = try await step { () async throws(LoginDelegationError) in
                    try await delegation.acceptConsent(
                        challenge: challenge, acceptance, answeredBy: "admin", metadata: AdminClientRoutes.eventMetadata(request)
                    )
                }
                return redirect(AuthorizationRedirect.url(services.issuer + "/authorize", [("consent_verifier", verifier.text)]))
            }
        }
        group.put("consent-requests/{challenge}/reject") { request, context -> Response in
            await reject(request, context, phase: .awaitingConsent, services)
        }
        group.delete("subjects/{sub}/consents/{client_id}") { request, context -> Response in
            await answer { () async throws(AdminError) in
                let subject = Subject(context.parameters.get("sub") ?? "")
                let client = ClientID(context.parameters.get("client_id") ?? "")
                _ = try await step { () async throws(LoginDelegationError) in
                    try await delegation.revokeConsent(subject: subject, client: client, metadata: AdminClientRoutes.eventMetadata(request))
                }
                return Response(status: .noContent)
            }
        }
    }

    /// `PUT …/reject`: records the refusal and answers the error redirect to the client, with
    /// its `state` and `iss`.
    private static func reject(
        _ request: Request, _ context: BasicRequestContext, phase: LoginFlow.Phase, _ services: LedgerServices
    ) async -> Response {
        await answer { () async throws(AdminError) in
            let challenge = context.parameters.get("challenge") ?? ""
            let body = try await AdminJSON.decode(LoginAnswers.Reject.self, from: request, invalid: AdminError.invalidRequest)
            let (error, description) = try body.validated()
            let flow = try await step { () async throws(LoginDelegationError) in
                try await services.delegation.reject(
                    challenge: challenge, in: phase, error: error, description: description, answeredBy: "admin",
                    metadata: AdminClientRoutes.eventMetadata(request)
                )
            }
            var parameters = [("error", error)]
            if let description { parameters.append(("error_description", description)) }
            if let state = flow.request.state { parameters.append(("state", state)) }
            parameters.append(("iss", services.issuer))
            return redirect(AuthorizationRedirect.url(flow.request.redirectURI, parameters))
        }
    }

    private static func client(_ flow: LoginFlow, _ services: LedgerServices) async throws(AdminError) -> Client? {
        do {
            return try await services.registration.client(flow.request.clientID)
        } catch {
            throw .unavailable("the ledger could not be reached")
        }
    }

    /// `{"redirect_to": …}`: where the app sends the browser next.
    private static func redirect(_ url: String) -> Response {
        AdminJSON.response(["redirect_to": url])
    }

    private static func answer(_ body: () async throws(AdminError) -> Response) async -> Response {
        do { return try await body() } catch { return error.response() }
    }

    /// Runs a delegation step; its failure becomes the admin API's error: 404 for an unknown
    /// challenge, 409 for one already answered, 410 for an expired one.
    private static func step<T>(_ body: () async throws(LoginDelegationError) -> T) async throws(AdminError) -> T {
        do {
            return try await body()
        } catch {
            switch error.code {
            case .notFound, .otherBrowser: throw .notFound(error.detail)
            case .alreadyUsed: throw AdminError("already_used", error.detail, status: .conflict)
            case .expired: throw AdminError("expired", error.detail, status: .gone)
            case .invalid: throw .invalidRequest(error.detail)
            default: throw .unavailable(error.detail)
            }
        }
    }
}
