import Hummingbird
import LedgerDomain
import LedgerService

extension AuthorizeEndpoint {
    /// `POST /authorize`: the login form's submission. CSRF first, then the sealed request, then
    /// the throttle (an attempt reserved per username and client address), then the password
    /// (bcrypt in a bounded pool: 503 with `Retry-After` when it is full); only a matching password starts an OP session and
    /// reaches ``issueCode``. A wrong
    /// one re-renders the form with one generic message and never says which field was wrong.
    func finishLogin<Context: RequestContext>(_ request: Request, context: Context) async -> Response {
        let form: FormParameters
        do {
            form = try await FormParameters.body(of: request)
        } catch {
            return HTMLPage.error(status: .badRequest, "The sign-in form could not be read.", code: error.code)
        }
        guard csrf.verify(request, token: form["csrf"]) else {
            return HTMLPage.error(
                status: .badRequest, "The sign-in form expired or was not sent from this site. Return to the application and try again.",
                code: "invalid_request"
            )
        }
        let authorization: AuthorizationRequest
        do {
            authorization = try sealer.unseal(form["request"] ?? "", now: services.now())
        } catch .expired {
            return HTMLPage.error(status: .badRequest, "This sign-in request has expired. Return to the application and start again.", code: "invalid_request")
        } catch {
            return HTMLPage.error(status: .badRequest, "The sign-in request is not valid. Return to the application and start again.", code: "invalid_request")
        }
        // The client may have been deleted, or its redirect URI removed, since the form was shown.
        let client: Client
        do throws(AuthorizeFailure) {
            client = try await AuthorizationRequest.trustedTarget(
                clientID: authorization.clientID.rawValue, redirectURI: authorization.redirectURI, clients: services.registration
            ).0
        } catch {
            return error.response(issuer: services.issuer)
        }

        let username = form["username"] ?? ""
        var page = LoginPage.Content(
            clientName: Self.displayName(client), sealedRequest: form["request"] ?? "",
            csrfToken: form["csrf"] ?? "", redirectURI: authorization.redirectURI, username: username
        )
        guard !username.isEmpty, let password = form["password"] else {
            page.error = "Enter your username and password."
            return LoginPage.response(page, setCookie: nil)
        }
        let throttleKey = LoginThrottle.key(username: username, address: services.clientAddresses.address(of: request, context: context))
        if case .lockedUntil(let until) = throttle.reserve(throttleKey, now: services.now()) {
            let seconds = max(1, (until.milliseconds - services.now().milliseconds + 999) / 1000)
            services.logger.notice("login throttled", metadata: ["client_id": "\(client.id)"])
            return HTMLPage.error(
                status: .tooManyRequests, "Too many failed sign-in attempts. Wait a while and try again.", code: "too_many_attempts",
                headers: [.retryAfter: "\(seconds)"]
            )
        }
        let authenticated: LoginUser?
        do {
            authenticated = try await services.users.authenticate(username: username, password: password)
        } catch {
            services.logger.warning("login refused: password checks are saturated", metadata: ["client_id": "\(client.id)"])
            return HTMLPage.error(
                status: .serviceUnavailable, "Sign-in is busy right now. Try again in a moment.", code: "temporarily_unavailable",
                headers: [.retryAfter: "1"]
            )
        }
        guard let user = authenticated else {
            // The username is not logged: people type passwords into it by mistake (I6).
            services.logger.info("login failed", metadata: ["client_id": "\(client.id)"])
            page.error = "Invalid username or password."
            return LoginPage.response(page, setCookie: nil)
        }
        throttle.succeeded(throttleKey)
        let session: Session
        do {
            session = try await sessions.start(
                subject: user.subject, metadata: eventMetadata(subject: user.subject, client: client, request: request, context: context)
            )
        } catch {
            services.logger.error("session not recorded", metadata: ["client_id": "\(client.id)", "error": "\(error.code)"])
            return Self.unavailable
        }
        return await issueCode(
            for: authorization, client: client, subject: user.subject, session: session, setCookie: sessionCookie.setCookie(session.sessionID),
            request: request, context: context
        )
    }
}
