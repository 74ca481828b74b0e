import Hummingbird
import LedgerDomain
import LedgerService

/// `GET|POST /logout`, the `end_session_endpoint` (RP-Initiated Logout 1.0). With a valid,
/// unexpired `id_token_hint` for the browser's own OP session it ends that session at once.
/// Otherwise (no hint, another session's hint, an expired one) it first asks the user on a
/// CSRF-protected page (RP-Initiated Logout §2), whose form carries the hint, and then ends the
/// hinted session (and the browser's, when it is the same user's). Ending a session
/// revokes every grant it holds (``SessionLifecycle/end(_:reason:metadata:)``), clears the
/// cookie, and returns to the registered `post_logout_redirect_uri` with `state`, or shows
/// a signed-out page.
struct LogoutEndpoint: Sendable {
    let services: LedgerServices
    let csrf: LoginCSRF
    let sessionCookie: SessionCookie
    let sessions: SessionLifecycle

    init(services: LedgerServices) {
        self.services = services
        csrf = LoginCSRF(sealingKey: services.requestSealingKey, issuer: services.issuer)
        sessionCookie = SessionCookie(sealingKey: services.requestSealingKey, issuer: services.issuer, lifetimes: services.sessionLifecycle.lifetimes)
        sessions = services.sessionLifecycle
    }

    /// Answers one logout request; `form` is the query (GET) or the form body (POST).
    func handle<Context: RequestContext>(_ request: Request, context: Context) async -> Response {
        let logout: LogoutRequest
        let form: FormParameters
        do {
            form = request.method == .post ? try await FormParameters.body(of: request) : try FormParameters.query(of: request)
            logout = try await LogoutRequest.validate(form, keys: services.keys, issuer: services.issuer, clients: services.registration)
        } catch let error as OAuthError {
            return HTMLPage.error(status: .badRequest, "The sign-out request could not be read.", code: error.code)
        } catch let refusal as LogoutRequest.Refusal {
            return HTMLPage.error(status: .badRequest, refusal.message, code: "invalid_request")
        } catch {
            return Self.unavailable
        }
        let browserSession = sessionCookie.sessionID(in: request)
        let confirmed = request.method == .post && form["confirm"] != nil && csrf.verify(request, token: form["csrf"])
        guard confirmed || isOwnSession(logout.hint, browserSession: browserSession) else {
            let cookie = csrf.cookieValue(for: request)
            return LogoutPage.confirmation(
                csrfToken: csrf.token(for: cookie), idTokenHint: form["id_token_hint"], clientID: logout.client?.id.rawValue,
                redirectURI: logout.redirectURI, state: logout.state, setCookie: csrf.setCookie(cookie)
            )
        }
        let ended: [(id: SessionID, subject: Subject)]
        do {
            ended = try await sessionsToEnd(logout, browserSession: browserSession)
            for sid in ended {
                let metadata = EventMetadata(
                    actor: "user:\(sid.subject)", clientID: logout.client?.id.rawValue,
                    requestID: context.logger[metadataKey: "hb.request.id"]?.description,
                    ipHash: services.clientAddresses.address(of: request, context: context).map(services.fingerprints.digest),
                    userAgentHash: request.headers[.userAgent].map(services.fingerprints.digest)
                )
                try await sessions.end(sid.id, reason: .logout, metadata: metadata)
                services.logger.info("session ended", metadata: ["sid": "\(sid.id)", "reason": "logout"])
            }
        } catch {
            services.logger.error("logout not recorded", metadata: ["error": "\(error)"])
            return Self.unavailable
        }
        // Another user's session in this browser (a hint for someone else) keeps its cookie.
        let browserEnded = browserSession.map { browser in ended.contains { $0.id == browser } } ?? true
        let clearCookie = browserEnded ? sessionCookie.clearCookie : nil
        guard let redirectURI = logout.redirectURI else { return LogoutPage.signedOut(clearCookie: clearCookie) }
        var response = AuthorizationRedirect.response(
            request.method == .post ? .seeOther : .found, to: redirectURI, logout.state.map { [("state", $0)] } ?? []
        )
        if let clearCookie { response.headers[.setCookie] = clearCookie }
        return response
    }

    /// Whether `hint` proves the request comes from the browser's own OP session: it names that
    /// session's `sid` and has not expired (15 s of skew).
    private func isOwnSession(_ hint: IDTokenClaims?, browserSession: SessionID?) -> Bool {
        guard let hint, let sid = hint.sid, let browserSession, sid == browserSession.rawValue else { return false }
        return services.now().seconds < hint.exp + 15
    }

    /// The sessions a logout ends: the hint's `sid`, and the browser's session when no hint
    /// names a user or it is the hinted user's (a hint never signs out somebody else).
    private func sessionsToEnd(
        _ logout: LogoutRequest, browserSession: SessionID?
    ) async throws -> [(id: SessionID, subject: Subject)] {
        var ended: [(id: SessionID, subject: Subject)] = []
        if let hint = logout.hint, let sid = hint.sid {
            ended.append((SessionID(sid), Subject(hint.sub)))
        }
        if let browserSession, !ended.contains(where: { $0.id == browserSession }),
            let session = try await sessions.session(browserSession),
            logout.hint == nil || session.subject.rawValue == logout.hint?.sub
        {
            ended.append((browserSession, session.subject))
        }
        return ended
    }

    private static var unavailable: Response {
        HTMLPage.error(status: .serviceUnavailable, "Sign-out could not be completed right now. Try again shortly.", code: "temporarily_unavailable")
    }
}
