import LedgerDomain
import LedgerPostgres

/// Login and consent delegated to the platform's own apps (docs/login-delegation.md): the
/// flow's steps as use cases over its stream, each one decided by ``LoginFlow`` and appended
/// before its answer leaves. The HTTP edge turns them into redirects and admin answers; the
/// session and the code are the caller's (``SessionLifecycle``, ``TokenService``).
package struct LoginDelegation: Sendable {
    /// How long a flow's handles are good for.
    package static let flowLifetime: Duration = .seconds(600)

    let stores: LedgerStores
    let now: @Sendable () -> Instant

    /// The use cases over `stores`, on the clock `now`.
    package init(stores: LedgerStores, now: @escaping @Sendable () -> Instant) {
        self.stores = stores
        self.now = now
    }

    /// Starts a flow for `request` from the browser holding `browserSecret`; answers its
    /// `login_challenge`.
    package func begin(
        _ request: AuthorizationParameters, skip: LoginSkip?, browserSecret: String, metadata: EventMetadata
    ) async throws(LoginDelegationError) -> LoginHandle {
        let flow = LoginFlowID(LedgerID.make(at: now()))
        let challenge = LoginHandle.mint(for: flow)
        let at = now()
        let requested = LoginRequested(
            flowID: flow, request: request, challengeHash: challenge.hash, browserHash: SecretDigest.hash(browserSecret), skip: skip,
            at: at, expiresAt: at.adding(Self.flowLifetime)
        )
        _ = try await run(.request(requested), flow: flow, metadata: metadata, start: .absent)
        return challenge
    }

    /// The flow a challenge names, while it waits in `phase` for exactly that challenge.
    package func flow(challenge text: String, in phase: LoginFlow.Phase) async throws(LoginDelegationError) -> LoginFlow {
        try await flow(waitingFor: text, in: phase, browser: nil)
    }

    /// The login app's acceptance: records it and answers the `login_verifier` the browser
    /// brings back. The claims are kept beside the log; the log names them.
    package func acceptLogin(
        challenge text: String, _ acceptance: LoginAcceptance, answeredBy: String, metadata: EventMetadata
    ) async throws(LoginDelegationError) -> (verifier: LoginHandle, flow: LoginFlow) {
        let flow = try await flow(challenge: text, in: .awaitingLogin)
        let verifier = LoginHandle.mint(for: flow.id)
        let at = now()
        let claims = DelegatedClaimsStore.Claims(login: acceptance.claims, acr: acceptance.acr, amr: acceptance.amr)
        if !claims.isEmpty { try await keep(claims, of: flow) }
        let accepted = LoginAccepted(
            flowID: flow.id, subject: acceptance.subject, acr: acceptance.acr, amr: acceptance.amr, authTime: acceptance.authTime ?? at,
            remember: acceptance.remember, rememberFor: acceptance.rememberFor, claims: acceptance.claims.map { $0.keys.sorted() },
            answeredBy: answeredBy, verifierHash: verifier.hash, at: at
        )
        let after = try await run(.acceptLogin(challenge: SecretDigest.hash(text), accepted), flow: flow.id, metadata: metadata)
        return (verifier, after)
    }

    /// The login or consent app's refusal of the challenge `text` in `phase`: recorded; the
    /// caller redirects the error to the client.
    package func reject(
        challenge text: String, in phase: LoginFlow.Phase, error: String, description: String?, answeredBy: String, metadata: EventMetadata
    ) async throws(LoginDelegationError) -> LoginFlow {
        let flow = try await flow(challenge: text, in: phase)
        let rejected = FlowRejected(flowID: flow.id, error: error, errorDescription: description, answeredBy: answeredBy, at: now())
        let hash = SecretDigest.hash(text)
        let command: LoginFlowCommand = phase == .awaitingLogin ? .rejectLogin(challenge: hash, rejected) : .rejectConsent(challenge: hash, rejected)
        return try await run(command, flow: flow.id, metadata: metadata)
    }

    /// The consent app's acceptance: records it (and, with `remember`, the subject's standing
    /// consent) and answers the `consent_verifier`.
    package func acceptConsent(
        challenge text: String, _ acceptance: ConsentAcceptance, answeredBy: String, metadata: EventMetadata
    ) async throws(LoginDelegationError) -> (verifier: LoginHandle, flow: LoginFlow) {
        let flow = try await flow(challenge: text, in: .awaitingConsent)
        guard let login = flow.login else { throw LoginDelegationError(.notFound, "no login flow has this challenge") }
        let verifier = LoginHandle.mint(for: flow.id)
        let at = now()
        let scope = acceptance.scope ?? flow.request.scope
        if !acceptance.claims.isEmpty { try await keep(acceptance.claims, of: flow) }
        let names = Set((acceptance.claims.idToken ?? [:]).keys).union((acceptance.claims.userinfo ?? [:]).keys).sorted()
        let rememberUntil = acceptance.remember ? acceptance.rememberFor.flatMap { $0 > 0 ? at.adding(.seconds($0)) : nil } : nil
        let granted = ConsentGranted(
            flowID: flow.id, subject: login.subject, clientID: flow.request.clientID, scope: scope, source: .app,
            remember: acceptance.remember, rememberUntil: rememberUntil, sessionID: nil, claims: names.isEmpty ? nil : names,
            answeredBy: answeredBy, verifierHash: verifier.hash, at: at
        )
        let after = try await run(.acceptConsent(challenge: SecretDigest.hash(text), granted), flow: flow.id, metadata: metadata)
        if acceptance.remember {
            let remembered = ConsentRemembered(
                subject: login.subject, clientID: flow.request.clientID, scope: scope, until: rememberUntil, flowID: flow.id, at: at
            )
            try await consent(.remember(remembered), subject: login.subject, client: flow.request.clientID, metadata: metadata)
        }
        return (verifier, after)
    }

    /// The browser's return with a verifier: the flow as it stands, checked to wait in `phase`
    /// for exactly that verifier from this browser. Nothing is recorded yet.
    package func returning(
        verifier text: String, in phase: LoginFlow.Phase, browserSecret: String?
    ) async throws(LoginDelegationError) -> LoginFlow {
        guard let browserSecret else { throw LoginDelegationError(.otherBrowser, "another browser started this login") }
        return try await flow(waitingFor: text, in: phase, browser: SecretDigest.hash(browserSecret))
    }

    /// The flow the handle `text` names, while it waits in `phase` for exactly that handle (from
    /// `browser`, for a verifier).
    private func flow(waitingFor text: String, in phase: LoginFlow.Phase, browser: TokenHash?) async throws(LoginDelegationError) -> LoginFlow {
        guard let handle = LoginHandle(parsing: text), let flow = try await load(handle.flow) else {
            throw LoginDelegationError(.notFound, "no login flow has this handle")
        }
        if let refusal = flow.refusal(presented: handle.hash, in: phase, now: now(), browser: browser) { throw LoginDelegationError(refusal) }
        return flow
    }

    /// Records the browser's return with the login verifier: the session it signed in to, and
    /// what comes next.
    package func resumeLogin(
        _ flow: LoginFlow, verifier text: String, browserSecret: String, session: SessionID, next: LoginFlowCommand.AfterLogin,
        metadata: EventMetadata
    ) async throws(LoginDelegationError) -> LoginFlow {
        let resume = LoginFlowCommand.Resume(verifier: SecretDigest.hash(text), browser: SecretDigest.hash(browserSecret))
        return try await run(.resumeLogin(resume, session: session, next: next), flow: flow.id, metadata: metadata)
    }

    /// Records the browser's return with the consent verifier; the code of `grant` follows.
    package func resumeConsent(
        _ flow: LoginFlow, verifier text: String, browserSecret: String, grant: GrantID, metadata: EventMetadata
    ) async throws(LoginDelegationError) -> LoginFlow {
        let resume = LoginFlowCommand.Resume(verifier: SecretDigest.hash(text), browser: SecretDigest.hash(browserSecret))
        return try await run(.resumeConsent(resume, grant: grant), flow: flow.id, metadata: metadata)
    }

    /// Hands the flow's claims to the grant its code starts in `session`, until `until`.
    package func bindClaims(of flow: LoginFlow, to grant: GrantID, session: SessionID, until: Instant) async throws(LoginDelegationError) {
        let claims = stores.delegatedClaims
        do {
            try await claims.bind(flow: flow.id, to: grant, session: session, client: flow.request.clientID, at: now(), expiresAt: until)
        } catch {
            throw .init(.unavailable, "claims not kept")
        }
    }

    /// Gives `grant`, started in `session` for `client` without the apps (`prompt=none`), the
    /// claims of the session's latest delegated grant.
    package func inheritClaims(session: SessionID, client: ClientID, grant: GrantID, until: Instant) async throws(LoginDelegationError) {
        let claims = stores.delegatedClaims
        do {
            try await claims.inherit(session: session, client: client, grant: grant, at: now(), expiresAt: until)
        } catch {
            throw .init(.unavailable, "claims not kept")
        }
    }

    /// The subject's remembered consent for `client`, if any.
    package func rememberedConsent(subject: Subject, client: ClientID) async throws(LoginDelegationError) -> Consent? {
        let consents = stores.consents
        do {
            return try await consents.load(.consent(client: client, subject: subject))?.state
        } catch {
            throw LoginDelegationError(.unavailable, "the ledger could not be reached")
        }
    }

    /// Revokes the subject's remembered consent for `client`; answers whether there was one.
    package func revokeConsent(subject: Subject, client: ClientID, metadata: EventMetadata) async throws(LoginDelegationError) -> Bool {
        try await consent(.revoke(subject: subject, client: client), subject: subject, client: client, metadata: metadata)
    }

    @discardableResult
    private func consent(_ command: ConsentCommand, subject: Subject, client: ClientID, metadata: EventMetadata) async throws(LoginDelegationError) -> Bool {
        let consents = stores.consents
        do {
            let outcome = try await consents.execute(
                command, on: .consent(client: client, subject: subject), context: DecisionContext(now: now()), metadata: metadata
            )
            return outcome.receipt != nil
        } catch {
            throw LoginDelegationError(.unavailable, "the ledger could not be reached")
        }
    }

    private func keep(_ claims: DelegatedClaimsStore.Claims, of flow: LoginFlow) async throws(LoginDelegationError) {
        let store = stores.delegatedClaims
        do { try await store.add(claims, flow: flow.id, expiresAt: flow.expiresAt) } catch { throw .init(.unavailable, "claims not kept") }
    }

    private func load(_ flow: LoginFlowID) async throws(LoginDelegationError) -> LoginFlow? {
        let flows = stores.loginFlows
        do {
            return try await flows.load(.login(flow))?.state
        } catch {
            throw LoginDelegationError(.unavailable, "the ledger could not be reached")
        }
    }

    /// Runs a flow command; a refusal becomes its error. Answers the state after it.
    private func run(
        _ command: LoginFlowCommand, flow: LoginFlowID, metadata: EventMetadata, start: AggregateStore<LoginFlow>.Start = .load
    ) async throws(LoginDelegationError) -> LoginFlow {
        let flows = stores.loginFlows
        let outcome: AggregateStore<LoginFlow>.Outcome
        do {
            outcome = try await flows.execute(command, on: .login(flow), context: DecisionContext(now: now()), metadata: metadata, start: start)
        } catch {
            throw LoginDelegationError(.unavailable, "the ledger could not be reached")
        }
        if let refusal = outcome.decision.refusal { throw LoginDelegationError(refusal) }
        guard let after = outcome.after else { throw LoginDelegationError(.notFound, "no login flow") }
        return after
    }
}

/// What the login app answers when it accepts (`PUT /admin/login-requests/{challenge}/accept`).
package struct LoginAcceptance: Sendable, Hashable {
    package var subject: Subject
    package var remember: Bool
    /// Seconds the browser keeps the OP session; nil or 0: the session lifetimes.
    package var rememberFor: Int64?
    package var acr: String?
    package var amr: [String]?
    package var authTime: Instant?
    package var claims: [String: JSONValue]?

    /// Creates an acceptance.
    package init(
        subject: Subject, remember: Bool = false, rememberFor: Int64? = nil, acr: String? = nil, amr: [String]? = nil,
        authTime: Instant? = nil, claims: [String: JSONValue]? = nil
    ) {
        self.subject = subject
        self.remember = remember
        self.rememberFor = rememberFor
        self.acr = acr
        self.amr = amr
        self.authTime = authTime
        self.claims = claims
    }
}

/// What the consent app answers when it accepts (`PUT /admin/consent-requests/{challenge}/accept`).
package struct ConsentAcceptance: Sendable, Hashable {
    /// The scope granted; nil grants the scope asked for.
    package var scope: Scope?
    package var remember: Bool
    /// Seconds the consent is remembered; nil or 0: until revoked.
    package var rememberFor: Int64?
    /// Claims for the ID token and userinfo.
    package var claims: DelegatedClaimsStore.Claims

    /// Creates an acceptance.
    package init(scope: Scope? = nil, remember: Bool = false, rememberFor: Int64? = nil, claims: DelegatedClaimsStore.Claims = .init()) {
        self.scope = scope
        self.remember = remember
        self.rememberFor = rememberFor
        self.claims = claims
    }
}

extension DelegatedClaimsStore.Claims {
    /// Whether no claim is given.
    var isEmpty: Bool { (login ?? [:]).isEmpty && (idToken ?? [:]).isEmpty && (userinfo ?? [:]).isEmpty && acr == nil && amr == nil }
}
