import Foundation
import Hummingbird
import LedgerDomain
import LedgerService

extension AuthorizeEndpoint {
    /// `/authorize` with a login app configured (docs/login-delegation.md): the validated request
    /// becomes a login flow and the browser goes to the login app with its `login_challenge`,
    /// bound to this browser by its (HttpOnly, SameSite=Lax) browser cookie. `prompt=none`
    /// never visits an app: a usable OP session whose consent needs no asking gets its code at
    /// once, anything else `login_required` or `consent_required`.
    func delegate<Context: RequestContext>(
        _ authorization: AuthorizationRequest, client: Client, loginURL: String, request: Request, context: Context
    ) async throws(AuthorizeFailure) -> Response {
        let session = authorization.prompt.contains("login") ? nil : try await usableSession(maxAge: authorization.maxAge, request: request)
        if authorization.prompt.contains("none") {
            guard let session else {
                throw .redirect(OAuthError("login_required", "the user must sign in"), redirectURI: authorization.redirectURI, state: authorization.state)
            }
            guard try await consentWithoutAsking(client: client, subject: session.subject, scope: authorization.scope, prompt: authorization.prompt) != nil
            else {
                throw .redirect(OAuthError("consent_required", "the user must consent"), redirectURI: authorization.redirectURI, state: authorization.state)
            }
            let grant = GrantID(LedgerID.make(at: services.now()))
            try await delegated { () async throws(LoginDelegationError) in
                try await services.delegation.inheritClaims(
                    session: session.sessionID, client: client.id, grant: grant, until: Self.claimsExpiry(client, now: services.now())
                )
            }
            return await issueCode(
                codeRequest(authorization.parameters, client: client, scope: authorization.scope), subject: session.subject, session: session,
                grant: grant, state: authorization.state, setCookie: nil, request: request, context: context
            )
        }
        let browser = csrf.cookieValue(for: request)
        let skip = session.map { LoginSkip(subject: $0.subject, sessionID: $0.sessionID) }
        let metadata = EventMetadata(
            actor: "client:\(client.id)", clientID: client.id.rawValue, requestID: context.logger[metadataKey: "hb.request.id"]?.description
        )
        let challenge = try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.begin(authorization.parameters, skip: skip, browserSecret: browser, metadata: metadata)
        }
        var response = AuthorizationRedirect.response(.seeOther, to: loginURL, [("login_challenge", challenge.text)])
        response.headers[.setCookie] = csrf.setCookie(browser)
        return response
    }

    /// `GET /authorize?login_verifier=…` or `?consent_verifier=…`: the browser back from the
    /// login or consent app. Only the browser that started the flow may bring a verifier, once.
    func resume<Context: RequestContext>(_ query: AuthorizeQuery, request: Request, context: Context) async -> Response {
        do throws(AuthorizeFailure) {
            if let verifier = query.unambiguous("login_verifier") {
                return try await resumeLogin(verifier: verifier, request: request, context: context)
            }
            return try await resumeConsent(verifier: query.unambiguous("consent_verifier") ?? "", request: request, context: context)
        } catch {
            return error.response(issuer: services.issuer)
        }
    }

    /// The login app accepted: sign the browser in (reusing the session it skipped to, or a new
    /// one), then ask the consent app or, when consent needs no asking, issue the code.
    private func resumeLogin<Context: RequestContext>(
        verifier: String, request: Request, context: Context
    ) async throws(AuthorizeFailure) -> Response {
        let browser = csrf.cookieValue(in: request)
        let flow = try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.returning(verifier: verifier, in: .loginAccepted, browserSecret: browser)
        }
        guard let browser, let login = flow.login else { throw Self.refusal(LoginDelegationError(.notFound, "no login")) }
        let client = try await AuthorizationRequest.trustedTarget(
            clientID: flow.request.clientID.rawValue, redirectURI: flow.request.redirectURI, clients: services.registration
        ).0
        let metadata = eventMetadata(subject: login.subject, client: client, request: request, context: context)
        let session: Session
        do {
            if let skip = flow.skip, skip.subject == login.subject,
                let reused = try await sessions.reusable(skip.sessionID, maxAge: flow.request.maxAge, at: services.now())
            {
                session = reused
            } else {
                session = try await sessions.start(subject: login.subject, metadata: metadata)
            }
        } catch {
            throw Self.unavailableFailure
        }
        let setCookie = login.remember
            ? sessionCookie.setCookie(session.sessionID, maxAge: login.rememberFor.flatMap { $0 > 0 ? Int($0) : nil }) : nil
        let source = try await consentWithoutAsking(
            client: client, subject: login.subject, scope: flow.request.scope, prompt: Set(flow.request.prompt)
        )
        // Without a consent app, consent needs no asking: a nil source means the app asks.
        if source == nil, let consentURL = services.consentURL {
            let challenge = LoginHandle.mint(for: flow.id)
            _ = try await delegated { () async throws(LoginDelegationError) in
                try await services.delegation.resumeLogin(
                    flow, verifier: verifier, browserSecret: browser, session: session.sessionID, next: .askConsent(challenge: challenge.hash),
                    metadata: metadata
                )
            }
            var response = AuthorizationRedirect.response(.seeOther, to: consentURL, [("consent_challenge", challenge.text)])
            if let setCookie { response.headers[.setCookie] = setCookie }
            return response
        }
        let grant = GrantID(LedgerID.make(at: services.now()))
        let completed = try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.resumeLogin(
                flow, verifier: verifier, browserSecret: browser, session: session.sessionID, next: .granted(source ?? .notConfigured, grant: grant),
                metadata: metadata
            )
        }
        return try await issueCode(of: completed, client: client, session: session, grant: grant, setCookie: setCookie, request: request, context: context)
    }

    /// The consent app accepted: issue the code for the scope it granted.
    private func resumeConsent<Context: RequestContext>(
        verifier: String, request: Request, context: Context
    ) async throws(AuthorizeFailure) -> Response {
        let browser = csrf.cookieValue(in: request)
        let flow = try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.returning(verifier: verifier, in: .consentGranted, browserSecret: browser)
        }
        guard let browser, let login = flow.login, let sid = flow.sessionID else {
            throw Self.refusal(LoginDelegationError(.notFound, "no login"))
        }
        let client = try await AuthorizationRequest.trustedTarget(
            clientID: flow.request.clientID.rawValue, redirectURI: flow.request.redirectURI, clients: services.registration
        ).0
        let session: Session?
        do {
            session = try await sessions.reusable(sid, maxAge: nil, at: services.now())
        } catch {
            throw Self.unavailableFailure
        }
        guard let session else {
            throw .page(.badRequest, code: "invalid_request", "Your sign-in ended before consent was given. Return to the application and start again.")
        }
        let metadata = eventMetadata(subject: login.subject, client: client, request: request, context: context)
        let grant = GrantID(LedgerID.make(at: services.now()))
        let completed = try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.resumeConsent(flow, verifier: verifier, browserSecret: browser, grant: grant, metadata: metadata)
        }
        return try await issueCode(of: completed, client: client, session: session, grant: grant, setCookie: nil, request: request, context: context)
    }

    /// The code of a completed flow, for the scope granted, its claims handed to the grant.
    private func issueCode<Context: RequestContext>(
        of flow: LoginFlow, client: Client, session: Session, grant: GrantID, setCookie: String?, request: Request, context: Context
    ) async throws(AuthorizeFailure) -> Response {
        guard let login = flow.login else { throw Self.refusal(LoginDelegationError(.notFound, "no login")) }
        try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.bindClaims(
                of: flow, to: grant, session: session.sessionID, until: Self.claimsExpiry(client, now: services.now())
            )
        }
        return await issueCode(
            codeRequest(flow.request, client: client, scope: flow.grantedScope ?? flow.request.scope), subject: login.subject,
            session: session, grant: grant, authTime: login.authTime, state: flow.request.state, setCookie: setCookie, request: request,
            context: context
        )
    }

    /// Why consent needs no asking for `client`, `subject` and `scope`; nil when the consent
    /// app must ask (always with `prompt=consent`).
    private func consentWithoutAsking(
        client: Client, subject: Subject, scope: Scope, prompt: Set<String>
    ) async throws(AuthorizeFailure) -> ConsentSource? {
        guard services.consentURL != nil else { return .notConfigured }
        if prompt.contains("consent") { return nil }
        if client.registration.skipConsent == true { return .firstParty }
        let remembered = try await delegated { () async throws(LoginDelegationError) in
            try await services.delegation.rememberedConsent(subject: subject, client: client.id)
        }
        return remembered?.covers(scope, at: services.now()) == true ? .remembered : nil
    }

    /// Claims are kept as long as a token of the grant may be issued or used.
    private static func claimsExpiry(_ client: Client, now: Instant) -> Instant {
        now.adding(client.registration.lifetimes.longestToken)
    }

    /// Runs a delegation step; its failure becomes the browser's error page.
    private func delegated<T>(_ step: () async throws(LoginDelegationError) -> T) async throws(AuthorizeFailure) -> T {
        do {
            return try await step()
        } catch {
            throw Self.refusal(error)
        }
    }

    private static func refusal(_ error: LoginDelegationError) -> AuthorizeFailure {
        switch error.code {
        case .unavailable:
            unavailableFailure
        case .otherBrowser:
            .page(.badRequest, code: "invalid_request", "This sign-in was started in another browser. Return to the application and start again.")
        case .expired:
            .page(.badRequest, code: "invalid_request", "This sign-in request has expired. Return to the application and start again.")
        default:
            .page(.badRequest, code: "invalid_request", "This sign-in link is not valid or was already used. Return to the application and start again.")
        }
    }
}
