/// An existing OP session that may sign a delegated login in without a password: the login
/// app is told (`skip`) and must accept with its subject.
public struct LoginSkip: Hashable, Sendable, Codable {
    public var subject: Subject
    public var sessionID: SessionID

    public init(subject: Subject, sessionID: SessionID) {
        self.subject = subject
        self.sessionID = sessionID
    }

    enum CodingKeys: String, CodingKey { case subject = "sub", sessionID = "sid" }
}

/// Payload of `login.requested`: `/authorize` handed a validated request to the login app.
public struct LoginRequested: Hashable, Sendable, Codable {
    public var flowID: LoginFlowID
    public var request: AuthorizationParameters
    /// Hash of the `login_challenge` handle.
    public var challengeHash: TokenHash
    /// Hash of the browser binding (a secret in a cookie of the browser that started it).
    public var browserHash: TokenHash
    /// The browser's usable OP session, if any.
    public var skip: LoginSkip?
    public var at: Instant
    /// Every handle of the flow is refused from this instant on.
    public var expiresAt: Instant

    public init(
        flowID: LoginFlowID, request: AuthorizationParameters, challengeHash: TokenHash, browserHash: TokenHash, skip: LoginSkip?,
        at: Instant, expiresAt: Instant
    ) {
        self.flowID = flowID
        self.request = request
        self.challengeHash = challengeHash
        self.browserHash = browserHash
        self.skip = skip
        self.at = at
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", request, challengeHash = "challenge_hash", browserHash = "browser_hash", skip, at
        case expiresAt = "expires_at"
    }
}

/// Payload of `login.accepted`: the login app authenticated the user.
public struct LoginAccepted: Hashable, Sendable, Codable {
    public var flowID: LoginFlowID
    public var subject: Subject
    /// Authentication context class reference (OIDC `acr`).
    public var acr: String?
    /// Authentication methods (RFC 8176 `amr`).
    public var amr: [String]?
    /// When the user authenticated.
    public var authTime: Instant
    /// Whether the browser keeps the OP session for single sign-on.
    public var remember: Bool
    /// How long it keeps it, in seconds (nil: the session lifetimes).
    public var rememberFor: Int64?
    /// The names of the claims the app supplied (their values never enter the log).
    public var claims: [String]?
    /// Who answered (`admin`, or `client:<id>`).
    public var answeredBy: String
    /// Hash of the `login_verifier` handle the browser brings back.
    public var verifierHash: TokenHash
    public var at: Instant

    public init(
        flowID: LoginFlowID, subject: Subject, acr: String?, amr: [String]?, authTime: Instant, remember: Bool, rememberFor: Int64?,
        claims: [String]?, answeredBy: String, verifierHash: TokenHash, at: Instant
    ) {
        self.flowID = flowID
        self.subject = subject
        self.acr = acr
        self.amr = amr
        self.authTime = authTime
        self.remember = remember
        self.rememberFor = rememberFor
        self.claims = claims
        self.answeredBy = answeredBy
        self.verifierHash = verifierHash
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", subject = "sub", acr, amr, authTime = "auth_time", remember, rememberFor = "remember_for", claims
        case answeredBy = "answered_by", verifierHash = "verifier_hash", at
    }
}

/// Payload of `login.rejected` and `consent.rejected`: the app refused; the client gets an
/// error redirect.
public struct FlowRejected: Hashable, Sendable, Codable {
    public var flowID: LoginFlowID
    /// The OAuth error code sent to the client.
    public var error: String
    public var errorDescription: String?
    public var answeredBy: String
    public var at: Instant

    public init(flowID: LoginFlowID, error: String, errorDescription: String?, answeredBy: String, at: Instant) {
        self.flowID = flowID
        self.error = error
        self.errorDescription = errorDescription
        self.answeredBy = answeredBy
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", error, errorDescription = "error_description", answeredBy = "answered_by", at
    }
}

/// Payload of `consent.requested`: the signed-in user was sent to the consent app.
public struct ConsentRequested: Hashable, Sendable, Codable {
    public var flowID: LoginFlowID
    public var subject: Subject
    public var clientID: ClientID
    /// The OP session the login started or reused.
    public var sessionID: SessionID
    /// Hash of the `consent_challenge` handle.
    public var challengeHash: TokenHash
    public var at: Instant

    public init(flowID: LoginFlowID, subject: Subject, clientID: ClientID, sessionID: SessionID, challengeHash: TokenHash, at: Instant) {
        self.flowID = flowID
        self.subject = subject
        self.clientID = clientID
        self.sessionID = sessionID
        self.challengeHash = challengeHash
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", subject = "sub", clientID = "client_id", sessionID = "sid", challengeHash = "challenge_hash", at
    }
}

/// Why consent was granted.
public enum ConsentSource: String, Hashable, Sendable, Codable {
    /// The consent app accepted.
    case app
    /// A remembered consent of the subject covers the scope.
    case remembered
    /// The client is registered to skip consent (first party).
    case firstParty = "first_party"
    /// No consent app is configured.
    case notConfigured = "not_configured"
}

/// Payload of `consent.granted`.
public struct ConsentGranted: Hashable, Sendable, Codable {
    public var flowID: LoginFlowID
    public var subject: Subject
    public var clientID: ClientID
    /// The scope granted (within the scope asked for).
    public var scope: Scope
    public var source: ConsentSource
    /// Whether the subject's consent for this client is remembered for later requests.
    public var remember: Bool
    /// Until when it is remembered (nil: until revoked).
    public var rememberUntil: Instant?
    /// The OP session (only when granted without the consent app, straight after the login).
    public var sessionID: SessionID?
    /// The names of the claims the app supplied for the ID token and userinfo.
    public var claims: [String]?
    /// Who answered, for `source: app`.
    public var answeredBy: String?
    /// Hash of the `consent_verifier` handle, for `source: app`.
    public var verifierHash: TokenHash?
    public var at: Instant

    public init(
        flowID: LoginFlowID, subject: Subject, clientID: ClientID, scope: Scope, source: ConsentSource, remember: Bool,
        rememberUntil: Instant?, sessionID: SessionID?, claims: [String]?, answeredBy: String?, verifierHash: TokenHash?, at: Instant
    ) {
        self.flowID = flowID
        self.subject = subject
        self.clientID = clientID
        self.scope = scope
        self.source = source
        self.remember = remember
        self.rememberUntil = rememberUntil
        self.sessionID = sessionID
        self.claims = claims
        self.answeredBy = answeredBy
        self.verifierHash = verifierHash
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id", subject = "sub", clientID = "client_id", scope, source, remember, rememberUntil = "remember_until"
        case sessionID = "sid", claims, answeredBy = "answered_by", verifierHash = "verifier_hash", at
    }
}

/// Payload of `login.completed`: the flow issued its authorization code.
public struct LoginCompleted: Hashable, Sendable, Codable {
    public var flowID: LoginFlowID
    public var grantID: GrantID
    public var at: Instant

    public init(flowID: LoginFlowID, grantID: GrantID, at: Instant) {
        self.flowID = flowID
        self.grantID = grantID
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case flowID = "flow_id", grantID = "grant_id", at }
}
