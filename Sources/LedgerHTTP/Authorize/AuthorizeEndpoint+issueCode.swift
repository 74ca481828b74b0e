import Foundation
import Hummingbird
import LedgerDomain
import LedgerService

extension AuthorizeEndpoint {
    /// Mints the authorization code for a user signed in to `session`, records it (only its
    /// hash, I6) and answers `303` to the redirect URI with `code`, `state` and `iss`, setting
    /// the session cookie when `setCookie` is given. The grant carries the session's `sid` and
    /// its login time as `auth_time`. The code leaves only after its events have committed
    /// (I1): ``TokenService/issueCode(_:subject:session:metadata:)`` returns after the commit.
    func issueCode<Context: RequestContext>(
        for authorization: AuthorizationRequest, client: Client, user: LoginUser, session: Session, setCookie: String?,
        request: Request, context: Context
    ) async -> Response {
        let codeRequest = TokenService.CodeRequest(
            client: client, scope: authorization.scope, redirectURI: authorization.redirectURI,
            codeChallenge: authorization.codeChallenge, nonce: authorization.nonce, resources: authorization.resources
        )
        let metadata = eventMetadata(user: user, client: client, request: request, context: context)
        let code: String
        do throws(TokenError) {
            let (issued, grantID) = try await services.tokens.issueCode(codeRequest, subject: user.subject, session: session, metadata: metadata)
            services.logger.info("authorization code issued", metadata: ["client_id": "\(client.id)", "grant_id": "\(grantID)"])
            code = issued
        } catch {
            services.logger.error("code grant not recorded", metadata: ["client_id": "\(client.id)", "error": "\(error.code)"])
            return Self.unavailable
        }
        var parameters = [("code", code)]
        if let state = authorization.state { parameters.append(("state", state)) }
        parameters.append(("iss", services.issuer))
        var response = AuthorizationRedirect.response(.seeOther, to: authorization.redirectURI, parameters)
        if let setCookie { response.headers[.setCookie] = setCookie }
        return response
    }

    /// Who caused a browser's events: the user, the client, the request id, and keyed digests
    /// of the IP address and user agent (I6: never the values themselves).
    func eventMetadata<Context: RequestContext>(user: LoginUser, client: Client, request: Request, context: Context) -> EventMetadata {
        EventMetadata(
            actor: "user:\(user.subject)", clientID: client.id.rawValue,
            requestID: context.logger[metadataKey: "hb.request.id"]?.description,
            ipHash: services.clientAddresses.address(of: request, context: context).map(services.fingerprints.digest),
            userAgentHash: request.headers[.userAgent].map(services.fingerprints.digest)
        )
    }

    /// The page when the log cannot record the grant: nothing was issued.
    static var unavailable: Response {
        HTMLPage.error(status: .serviceUnavailable, "Sign-in could not be completed right now. Try again shortly.", code: "temporarily_unavailable")
    }
}
