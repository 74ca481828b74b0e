extension LoginFlow: Aggregate {
    /// The outcome of a login flow command.
    public typealias FlowDecision = Decision<LoginEvent, LoginFlowError>

    /// Decides a command. Each phase takes exactly one handle, once: anything else is refused
    /// and appends nothing.
    public static func decide(_ command: LoginFlowCommand, _ state: LoginFlow?, _ context: DecisionContext) -> FlowDecision {
        if case .request(let requested) = command {
            guard state == nil else { return .refused(LoginFlowError(.alreadyUsed, flow: requested.flowID, "the flow exists")) }
            return .accepted([.requested(requested)])
        }
        guard let flow = state else { return .refused(LoginFlowError(.unknown, flow: nil, "no such login flow")) }
        let now = context.now
        switch command {
        case .request:
            return .accepted([])
        case .acceptLogin(let challenge, let accepted):
            if let refusal = flow.refusal(presented: challenge, in: .awaitingLogin, now: now) { return .refused(refusal) }
            if let skip = flow.skip, skip.subject != accepted.subject {
                return .refused(LoginFlowError(.subjectMismatch, flow: flow.id, "the browser's session belongs to another subject"))
            }
            return .accepted([.accepted(accepted)])
        case .rejectLogin(let challenge, let rejected):
            if let refusal = flow.refusal(presented: challenge, in: .awaitingLogin, now: now) { return .refused(refusal) }
            return .accepted([.rejected(rejected)])
        case .resumeLogin(let resume, let session, let next):
            if let refusal = flow.refusal(presented: resume.verifier, in: .loginAccepted, now: now, browser: resume.browser) {
                return .refused(refusal)
            }
            guard let login = flow.login else { return .refused(LoginFlowError(.unknown, flow: flow.id, "no login")) }
            switch next {
            case .askConsent(let challenge):
                return .accepted([.consentRequested(ConsentRequested(
                    flowID: flow.id, subject: login.subject, clientID: flow.request.clientID, sessionID: session, challengeHash: challenge, at: now
                ))])
            case .granted(let source, let grant):
                return .accepted([
                    .consentGranted(ConsentGranted(
                        flowID: flow.id, subject: login.subject, clientID: flow.request.clientID, scope: flow.request.scope, source: source,
                        remember: false, rememberUntil: nil, sessionID: session, claims: nil, answeredBy: nil, verifierHash: nil, at: now
                    )),
                    .completed(LoginCompleted(flowID: flow.id, grantID: grant, at: now)),
                ])
            }
        case .acceptConsent(let challenge, let granted):
            if let refusal = flow.refusal(presented: challenge, in: .awaitingConsent, now: now) { return .refused(refusal) }
            guard flow.request.scope.contains(granted.scope) else {
                return .refused(LoginFlowError(.scopeExceeded, flow: flow.id, "grant_scope exceeds the scope asked for"))
            }
            return .accepted([.consentGranted(granted)])
        case .rejectConsent(let challenge, let rejected):
            if let refusal = flow.refusal(presented: challenge, in: .awaitingConsent, now: now) { return .refused(refusal) }
            return .accepted([.consentRejected(rejected)])
        case .resumeConsent(let resume, let grant):
            if let refusal = flow.refusal(presented: resume.verifier, in: .consentGranted, now: now, browser: resume.browser) {
                return .refused(refusal)
            }
            return .accepted([.completed(LoginCompleted(flowID: flow.id, grantID: grant, at: now))])
        }
    }

    /// Why `presented` cannot move the flow on from `phase` at `now` (from `browser`, for a
    /// verifier); nil when it can. An expired flow refuses everything; a handle of a phase the
    /// flow has left is "already used".
    public func refusal(presented: TokenHash, in phase: Phase, now: Instant, browser: TokenHash? = nil) -> LoginFlowError? {
        if now >= expiresAt { return LoginFlowError(.expired, flow: id, "the login flow expired") }
        guard self.phase == phase else { return LoginFlowError(.alreadyUsed, flow: id, "the flow has moved on") }
        guard presented == handleHash else { return LoginFlowError(.unknown, flow: id, "the handle does not match") }
        if let browser, browser != browserHash { return LoginFlowError(.otherBrowser, flow: id, "another browser started this flow") }
        return nil
    }

    public static func evolve(_ state: LoginFlow?, _ event: LoginEvent) -> LoginFlow? {
        if case .requested(let e) = event {
            return LoginFlow(
                id: e.flowID, request: e.request, browserHash: e.browserHash, skip: e.skip, expiresAt: e.expiresAt, phase: .awaitingLogin,
                handleHash: e.challengeHash
            )
        }
        guard var flow = state else { return nil }
        switch event {
        case .requested:
            break
        case .accepted(let e):
            flow.phase = .loginAccepted
            flow.handleHash = e.verifierHash
            flow.login = e
        case .rejected, .consentRejected:
            flow.phase = .rejected
        case .consentRequested(let e):
            flow.phase = .awaitingConsent
            flow.handleHash = e.challengeHash
            flow.sessionID = e.sessionID
        case .consentGranted(let e):
            flow.phase = .consentGranted
            flow.grantedScope = e.scope
            if let session = e.sessionID { flow.sessionID = session }
            if let verifier = e.verifierHash { flow.handleHash = verifier }
        case .completed(let e):
            flow.phase = .completed
            flow.grantID = e.grantID
        }
        return flow
    }
}
