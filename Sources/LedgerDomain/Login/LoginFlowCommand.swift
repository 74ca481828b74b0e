/// A request to move a login flow on. Handles arrive hashed; the shell mints new ones.
public enum LoginFlowCommand: Sendable, Hashable {
    /// Start the flow (`/authorize` in delegated mode).
    case request(LoginRequested)
    /// The login app accepted `challenge`.
    case acceptLogin(challenge: TokenHash, LoginAccepted)
    /// The login app refused `challenge`.
    case rejectLogin(challenge: TokenHash, FlowRejected)
    /// The browser brought the login verifier back; the shell started or reused `session` and
    /// either asks the consent app (`consentChallenge`) or has consent without it (`granted`).
    case resumeLogin(Resume, session: SessionID, next: AfterLogin)
    /// The consent app accepted `challenge`.
    case acceptConsent(challenge: TokenHash, ConsentGranted)
    /// The consent app refused `challenge`.
    case rejectConsent(challenge: TokenHash, FlowRejected)
    /// The browser brought the consent verifier back; the code of `grant` is issued next.
    case resumeConsent(Resume, grant: GrantID)

    /// A verifier presented by a browser.
    public struct Resume: Sendable, Hashable {
        public var verifier: TokenHash
        public var browser: TokenHash

        public init(verifier: TokenHash, browser: TokenHash) {
            self.verifier = verifier
            self.browser = browser
        }
    }

    /// What follows a login taken up by the browser.
    public enum AfterLogin: Sendable, Hashable {
        /// Ask the consent app with this challenge.
        case askConsent(challenge: TokenHash)
        /// Consent is granted without asking (`source` says why) and the code of `grant` follows.
        case granted(ConsentSource, grant: GrantID)
    }
}
