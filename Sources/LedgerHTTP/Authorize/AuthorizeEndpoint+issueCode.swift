import Foundation
import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

extension AuthorizeEndpoint {
    /// Mints the authorization code for a user signed in to `session`, records it (only its
    /// hash, I6) and answers `303` to the redirect URI with `code`, `state` and `iss`, setting
    /// the session cookie when `setCookie` is given. The grant carries the session's `sid` and
    /// its login time as `auth_time`. The code leaves only after its events have committed
    /// (I1): `GrantStore.execute` returns after the commit.
    func issueCode<Context: RequestContext>(
        for authorization: AuthorizationRequest, client: Client, user: LoginUser, session: Session, setCookie: String?,
        request: Request, context: Context
    ) async -> Response {
        let now = services.now()
        let code = SecretDigest.mint()
        let grantID = GrantID(RandomUUID.make())
        let command = GrantCommand.startWithCode(.init(
            grantID: grantID, clientID: client.id, subject: user.subject, sessionID: session.sessionID, scope: authorization.scope,
            codeHash: SecretDigest.hash(code), redirectURI: authorization.redirectURI, codeChallenge: authorization.codeChallenge,
            nonce: authorization.nonce, authTime: session.authTime ?? now
        ))
        let metadata = eventMetadata(user: user, client: client, request: request, context: context)
        do {
            let outcome = try await services.grants.execute(
                command, on: grantID, context: DecisionContext(now: now, lifetimes: client.registration.lifetimes), metadata: metadata
            )
            guard outcome.decision.refusal == nil, outcome.receipt != nil else {
                services.logger.error("code grant refused", metadata: ["client_id": "\(client.id)", "grant_id": "\(grantID)"])
                return Self.unavailable
            }
        } catch {
            services.logger.error("code grant not recorded", metadata: ["client_id": "\(client.id)", "error": "\(error.code)"])
            return Self.unavailable
        }
        services.logger.info("authorization code issued", metadata: ["client_id": "\(client.id)", "grant_id": "\(grantID)"])
        var parameters = [("code", code)]
        if let state = authorization.state { parameters.append(("state", state)) }
        parameters.append(("iss", services.issuer))
        var response = AuthorizationRedirect.response(.seeOther, to: authorization.redirectURI, parameters)
        if let setCookie { response.headers[.setCookie] = setCookie }
        return response
    }

    /// Who caused a browser's events: the user, the client, the request id, and hashes of the
    /// IP address and user agent (I6: never the values themselves).
    func eventMetadata<Context: RequestContext>(user: LoginUser, client: Client, request: Request, context: Context) -> EventMetadata {
        EventMetadata(
            actor: "user:\(user.subject)", clientID: client.id.rawValue,
            requestID: context.logger[metadataKey: "hb.request.id"]?.description,
            ipHash: Self.clientAddress(context).map(SecretDigest.sha256Hex), userAgentHash: request.headers[.userAgent].map(SecretDigest.sha256Hex)
        )
    }

    /// The page when the log cannot record the grant: nothing was issued.
    static var unavailable: Response {
        HTMLPage.error(status: .serviceUnavailable, "Sign-in could not be completed right now. Try again shortly.", code: "temporarily_unavailable")
    }
}
