import Foundation
import Hummingbird
import LedgerDomain
import LedgerService

extension AuthorizeEndpoint {
    /// Mints the authorization code of `authorization` for `subject`, signed in to `session`.
    func issueCode<Context: RequestContext>(
        for authorization: AuthorizationRequest, client: Client, subject: Subject, session: Session, setCookie: String?,
        request: Request, context: Context
    ) async -> Response {
        await issueCode(
            codeRequest(authorization.parameters, client: client, scope: authorization.scope), subject: subject, session: session, state: authorization.state, setCookie: setCookie, request: request,
            context: context
        )
    }

    /// Mints the authorization code `codeRequest` asks for, for `subject` signed in to `session`,
    /// records it (only its hash, I6) and answers `303` to the redirect URI with `code`, `state`
    /// and `iss`, setting the session cookie when `setCookie` is given. The grant carries the
    /// session's `sid` and its login time (or `authTime`) as `auth_time`; `grant` names it when
    /// the caller recorded its id already. The code leaves only after its events have committed
    /// (I1): ``TokenService/issueCode(_:subject:session:grant:authTime:metadata:)`` returns after the commit.
    func issueCode<Context: RequestContext>(
        _ codeRequest: TokenService.CodeRequest, subject: Subject, session: Session, grant: GrantID? = nil, authTime: Instant? = nil,
        state: String?, setCookie: String?, request: Request, context: Context
    ) async -> Response {
        let client = codeRequest.client
        let metadata = eventMetadata(subject: subject, client: client, request: request, context: context)
        let code: String
        do throws(TokenError) {
            let (issued, grantID) = try await services.tokens.issueCode(
                codeRequest, subject: subject, session: session, grant: grant, authTime: authTime, metadata: metadata
            )
            services.logger.info("authorization code issued", metadata: ["client_id": "\(client.id)", "grant_id": "\(grantID)"])
            code = issued
        } catch {
            services.logger.error("code grant not recorded", metadata: ["client_id": "\(client.id)", "error": "\(error.code)"])
            return Self.unavailable
        }
        var parameters = [("code", code)]
        if let state { parameters.append(("state", state)) }
        parameters.append(("iss", services.issuer))
        var response = AuthorizationRedirect.response(.seeOther, to: codeRequest.redirectURI, parameters)
        if let setCookie { response.headers[.setCookie] = setCookie }
        return response
    }

    /// What the code of a request for `client` records, for `scope` (the scope granted).
    func codeRequest(_ parameters: AuthorizationParameters, client: Client, scope: Scope) -> TokenService.CodeRequest {
        TokenService.CodeRequest(
            client: client, scope: scope, redirectURI: parameters.redirectURI, codeChallenge: parameters.codeChallenge,
            nonce: parameters.nonce, resources: parameters.resources
        )
    }

    /// Who caused a browser's events: the user, the client, the request id, and keyed digests
    /// of the IP address and user agent (I6: never the values themselves).
    func eventMetadata<Context: RequestContext>(subject: Subject, client: Client, request: Request, context: Context) -> EventMetadata {
        EventMetadata(
            actor: "user:\(subject)", clientID: client.id.rawValue,
            requestID: context.logger[metadataKey: "hb.request.id"]?.description,
            ipHash: services.clientAddresses.address(of: request, context: context).map(services.fingerprints.digest),
            userAgentHash: request.headers[.userAgent].map(services.fingerprints.digest)
        )
    }

    /// Sign-in cannot finish because the ledger cannot record it: nothing was issued.
    static let unavailableFailure = AuthorizeFailure.page(
        .serviceUnavailable, code: "temporarily_unavailable", "Sign-in could not be completed right now. Try again shortly."
    )

    /// The page of ``unavailableFailure``.
    static var unavailable: Response { unavailableFailure.response(issuer: "") }
}
