/// One delegated login flow, folded from stream `login/<flow_id>`: an authorization request
/// waiting for the platform's login app, then its consent app, then the code. Every handle of
/// the flow (challenge, verifier) is single-use, bound to the browser that started it, and dead
/// once the flow expires.
public struct LoginFlow: Hashable, Sendable, Codable {
    /// Where the flow stands.
    public enum Phase: String, Hashable, Sendable, Codable {
        /// The login app has the `login_challenge`.
        case awaitingLogin = "awaiting_login"
        /// The login app accepted; the browser brings the `login_verifier` back.
        case loginAccepted = "login_accepted"
        /// The consent app has the `consent_challenge`.
        case awaitingConsent = "awaiting_consent"
        /// The consent app accepted; the browser brings the `consent_verifier` back.
        case consentGranted = "consent_granted"
        /// The code was issued.
        case completed
        /// The login or consent app refused.
        case rejected
    }

    public var id: LoginFlowID
    public var request: AuthorizationParameters
    public var browserHash: TokenHash
    public var skip: LoginSkip?
    public var expiresAt: Instant
    public var phase: Phase
    /// The hash of the handle the current phase waits for (a challenge or a verifier).
    public var handleHash: TokenHash
    /// Set by `login.accepted`.
    public var login: LoginAccepted?
    /// The OP session, once the login was taken up by the browser.
    public var sessionID: SessionID?
    /// The scope granted, once consent was given.
    public var grantedScope: Scope?
    /// The grant, once the code was issued.
    public var grantID: GrantID?

    enum CodingKeys: String, CodingKey {
        case id = "flow_id", request, browserHash = "browser_hash", skip, expiresAt = "expires_at", phase, handleHash = "handle_hash"
        case login, sessionID = "sid", grantedScope = "granted_scope", grantID = "grant_id"
    }
}
