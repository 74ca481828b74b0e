/// A request to change a grant. Secrets arrive already hashed; new tokens are minted by the
/// shell and proposed here, and the decision says whether they may be issued.
public enum GrantCommand: Sendable, Hashable {
    /// `/authorize` succeeded: start a code-flow grant and issue its code.
    case startWithCode(StartWithCode)
    /// `/token` with `client_credentials`: start a grant and issue one access token.
    case startWithClientCredentials(StartWithClientCredentials)
    /// `/token` with `authorization_code`.
    case redeemCode(RedeemCode)
    /// `/token` with `refresh_token`.
    case refresh(Refresh)
    /// Revoke the whole grant.
    case revoke(reason: RevocationReason)
    /// Revoke one access token of the grant until it expires.
    case revokeAccessToken(jti: TokenID, expiresAt: Instant, reason: RevocationReason)

    /// Parameters of ``startWithCode(_:)``.
    public struct StartWithCode: Sendable, Hashable {
        public var grantID: GrantID
        public var clientID: ClientID
        public var subject: Subject
        public var sessionID: SessionID?
        public var scope: Scope
        public var codeHash: TokenHash
        public var redirectURI: String
        public var codeChallenge: String?
        public var nonce: String?
        public var authTime: Instant?
        /// The resource indicators of the request (RFC 8707), already checked against the
        /// client's registration; nil when none was given.
        public var resources: Resources?

        public init(
            grantID: GrantID, clientID: ClientID, subject: Subject, sessionID: SessionID?, scope: Scope,
            codeHash: TokenHash, redirectURI: String, codeChallenge: String?, nonce: String? = nil,
            authTime: Instant? = nil, resources: Resources? = nil
        ) {
            self.grantID = grantID
            self.clientID = clientID
            self.subject = subject
            self.sessionID = sessionID
            self.scope = scope
            self.codeHash = codeHash
            self.redirectURI = redirectURI
            self.codeChallenge = codeChallenge
            self.nonce = nonce
            self.authTime = authTime
            self.resources = resources
        }
    }

    /// Parameters of ``startWithClientCredentials(_:)``.
    public struct StartWithClientCredentials: Sendable, Hashable {
        public var grantID: GrantID
        public var clientID: ClientID
        public var scope: Scope
        /// The resource indicators of the request (RFC 8707), already checked against the
        /// client's registration; nil when none was given.
        public var resources: Resources?

        public init(grantID: GrantID, clientID: ClientID, scope: Scope, resources: Resources? = nil) {
            self.grantID = grantID
            self.clientID = clientID
            self.scope = scope
            self.resources = resources
        }
    }

    /// Parameters of ``redeemCode(_:)``.
    public struct RedeemCode: Sendable, Hashable {
        public var codeHash: TokenHash
        public var clientID: ClientID
        public var redirectURI: String?
        /// BASE64URL(SHA-256(code_verifier)) computed by the shell, when a verifier was sent.
        public var verifierChallenge: String?
        public var accessToken: TokenID
        /// The proposed first refresh token, when the client may refresh.
        public var refreshTokenHash: TokenHash?
        /// The proposed ID token, when `openid` was granted.
        public var idToken: TokenID?
        /// The keyed fingerprint of the redeeming client: the refresh family's holder.
        public var fingerprint: String?
        /// The resources the access token is asked for (RFC 8707 §2.2), within the grant's;
        /// nil means all of the grant's.
        public var requestedResources: Resources?

        public init(
            codeHash: TokenHash, clientID: ClientID, redirectURI: String?, verifierChallenge: String?,
            accessToken: TokenID, refreshTokenHash: TokenHash?, idToken: TokenID?, fingerprint: String? = nil,
            requestedResources: Resources? = nil
        ) {
            self.codeHash = codeHash
            self.clientID = clientID
            self.redirectURI = redirectURI
            self.verifierChallenge = verifierChallenge
            self.accessToken = accessToken
            self.refreshTokenHash = refreshTokenHash
            self.idToken = idToken
            self.fingerprint = fingerprint
            self.requestedResources = requestedResources
        }
    }

    /// Parameters of ``refresh(_:)``.
    public struct Refresh: Sendable, Hashable {
        /// Hash of the presented refresh token.
        public var presentedHash: TokenHash
        /// The generation the token index records for the presented hash.
        public var presentedGeneration: Int
        public var clientID: ClientID
        /// The scope asked for; nil means the grant's scope.
        public var requestedScope: Scope?
        public var successorHash: TokenHash
        public var accessToken: TokenID
        /// Whether the successor's token response is kept (outside the log) for the grace
        /// window: the client has one.
        public var keepsGraceAnswer: Bool
        /// The proposed new ID token (OIDC Core §12.2), when the grant has `openid`.
        public var idToken: TokenID?
        /// The keyed fingerprint of the caller; nil when unknown.
        public var presentedFingerprint: String?
        /// The resources the access token is asked for (RFC 8707 §2.2), within the grant's;
        /// nil means all of the grant's.
        public var requestedResources: Resources?

        public init(
            presentedHash: TokenHash, presentedGeneration: Int, clientID: ClientID, requestedScope: Scope?,
            successorHash: TokenHash, accessToken: TokenID, keepsGraceAnswer: Bool, idToken: TokenID? = nil,
            presentedFingerprint: String? = nil, requestedResources: Resources? = nil
        ) {
            self.presentedHash = presentedHash
            self.presentedGeneration = presentedGeneration
            self.clientID = clientID
            self.requestedScope = requestedScope
            self.successorHash = successorHash
            self.accessToken = accessToken
            self.keepsGraceAnswer = keepsGraceAnswer
            self.idToken = idToken
            self.presentedFingerprint = presentedFingerprint
            self.requestedResources = requestedResources
        }
    }
}
