import LedgerDomain
import Testing

@Suite("Delegated login flows: one handle per phase, once, from the browser that started it, before expiry")
struct LoginFlowTests {
    typealias F = Fixture

    static let flow = LoginFlowID("flow-1")
    static let challenge = F.hash("challenge")
    static let verifier = F.hash("verifier")
    static let browser = F.hash("browser")

    static func requested(skip: LoginSkip? = nil) -> LoginEvent {
        .requested(LoginRequested(
            flowID: flow,
            request: AuthorizationParameters(
                clientID: F.client, redirectURI: F.redirectURI, scope: Scope(parsing: "openid profile"), state: "s", codeChallenge: F.challenge,
                nonce: nil, maxAge: nil, prompt: [], resources: nil, loginHint: nil, acrValues: nil
            ),
            challengeHash: challenge, browserHash: browser, skip: skip, at: F.t0, expiresAt: F.t(600)
        ))
    }

    static func accepted(_ subject: Subject = F.user) -> LoginAccepted {
        LoginAccepted(
            flowID: flow, subject: subject, acr: nil, amr: nil, authTime: F.t(5), remember: false, rememberFor: nil, claims: nil,
            answeredBy: "admin", verifierHash: verifier, at: F.t(5)
        )
    }

    static func decide(_ command: LoginFlowCommand, after events: [LoginEvent], at now: Instant) -> LoginFlow.FlowDecision {
        LoginFlow.decide(command, LoginFlow.fold(events), DecisionContext(now: now))
    }

    @Test("the challenge accepts once; a wrong, reused or expired one is refused with nothing appended")
    func challengeOnce() {
        let accept = LoginFlowCommand.acceptLogin(challenge: Self.challenge, Self.accepted())
        #expect(Self.decide(accept, after: [Self.requested()], at: F.t(5)).events == [.accepted(Self.accepted())])
        #expect(Self.decide(.acceptLogin(challenge: F.hash("other"), Self.accepted()), after: [Self.requested()], at: F.t(5)).refusal?.code == .unknown)
        let reused = Self.decide(accept, after: [Self.requested(), .accepted(Self.accepted())], at: F.t(6))
        #expect(reused.refusal?.code == .alreadyUsed)
        #expect(reused.events.isEmpty)
        #expect(Self.decide(accept, after: [Self.requested()], at: F.t(600)).refusal?.code == .expired)
    }

    @Test("the verifier resumes only from the starting browser, once, and moves to consent or completion")
    func verifierBoundAndOnce() {
        let history = [Self.requested(), .accepted(Self.accepted())]
        let resume = LoginFlowCommand.Resume(verifier: Self.verifier, browser: Self.browser)
        let elsewhere = LoginFlowCommand.Resume(verifier: Self.verifier, browser: F.hash("another browser"))
        let grant = GrantID("g-1")
        #expect(Self.decide(.resumeLogin(elsewhere, session: F.session, next: .granted(.notConfigured, grant: grant)), after: history, at: F.t(7)).refusal?.code == .otherBrowser)
        let done = Self.decide(.resumeLogin(resume, session: F.session, next: .granted(.firstParty, grant: grant)), after: history, at: F.t(7))
        #expect(done.events.map(\.typeName) == ["consent.granted", "login.completed"])
        let finished = LoginFlow.fold(history + done.events)
        #expect(finished?.phase == .completed)
        #expect(finished?.grantID == grant)
        #expect(finished?.sessionID == F.session)
        #expect(Self.decide(.resumeLogin(resume, session: F.session, next: .granted(.firstParty, grant: grant)), after: history + done.events, at: F.t(8)).refusal?.code == .alreadyUsed)
    }

    @Test("consent: grant_scope within the request; the consent verifier completes once")
    func consent() {
        let consentChallenge = F.hash("consent challenge")
        let asked = [
            Self.requested(), .accepted(Self.accepted()),
            .consentRequested(ConsentRequested(flowID: Self.flow, subject: F.user, clientID: F.client, sessionID: F.session, challengeHash: consentChallenge, at: F.t(7))),
        ]
        func granted(_ scope: String) -> ConsentGranted {
            ConsentGranted(
                flowID: Self.flow, subject: F.user, clientID: F.client, scope: Scope(parsing: scope), source: .app, remember: false,
                rememberUntil: nil, sessionID: nil, claims: nil, answeredBy: "admin", verifierHash: F.hash("cv"), at: F.t(8)
            )
        }
        #expect(Self.decide(.acceptConsent(challenge: consentChallenge, granted("openid email")), after: asked, at: F.t(8)).refusal?.code == .scopeExceeded)
        let accepted = Self.decide(.acceptConsent(challenge: consentChallenge, granted("openid")), after: asked, at: F.t(8))
        #expect(accepted.events == [.consentGranted(granted("openid"))])
        let resume = LoginFlowCommand.Resume(verifier: F.hash("cv"), browser: Self.browser)
        let completed = Self.decide(.resumeConsent(resume, grant: GrantID("g")), after: asked + accepted.events, at: F.t(9))
        #expect(completed.events.map(\.typeName) == ["login.completed"])
        #expect(LoginFlow.fold(asked + accepted.events)?.grantedScope == Scope(parsing: "openid"))
    }

    @Test("a flow offered an existing session must keep its subject")
    func skipKeepsSubject() {
        let skip = LoginSkip(subject: F.user, sessionID: F.session)
        let other = Self.decide(.acceptLogin(challenge: Self.challenge, Self.accepted(Subject("mallory"))), after: [Self.requested(skip: skip)], at: F.t(5))
        #expect(other.refusal?.code == .subjectMismatch)
    }

    @Test("a remembered consent covers its scope until it lapses or is revoked; revoking nothing appends nothing")
    func rememberedConsent() {
        let remembered = ConsentRemembered(subject: F.user, clientID: F.client, scope: Scope(parsing: "openid profile"), until: F.t(100), flowID: Self.flow, at: F.t0)
        let state = Consent.fold([.remembered(remembered)])
        #expect(state?.covers(Scope(parsing: "openid"), at: F.t(50)) == true)
        #expect(state?.covers(Scope(parsing: "openid email"), at: F.t(50)) == false)
        #expect(state?.covers(Scope(parsing: "openid"), at: F.t(100)) == false)
        let revoked = Consent.decide(.revoke(subject: F.user, client: F.client), state, DecisionContext(now: F.t(60)))
        #expect(revoked.events.map(\.typeName) == ["consent.revoked"])
        #expect(Consent.fold(revoked.events, from: state)?.covers(Scope(parsing: "openid"), at: F.t(61)) == false)
        #expect(Consent.decide(.revoke(subject: F.user, client: F.client), nil, DecisionContext(now: F.t(60))).events.isEmpty)
    }
}
