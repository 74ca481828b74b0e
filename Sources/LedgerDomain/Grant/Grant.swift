/// The live state of one grant, folded from its events by ``Grant/evolve(_:_:)``.
public struct Grant: Hashable, Sendable, Codable {
    /// Where the grant stands.
    public enum Status: String, Hashable, Sendable, Codable {
        /// A code was issued and not yet redeemed.
        case awaitingCode = "awaiting_code"
        /// Tokens were issued and the grant is usable.
        case active
        /// Revoked: nothing of it is valid any more.
        case revoked
    }

    /// The authorization code of a code-flow grant.
    public struct Code: Hashable, Sendable, Codable {
        public var hash: TokenHash
        public var expiresAt: Instant
        public var redirectURI: String
        public var codeChallenge: String?
        public var nonce: String?
        public var authTime: Instant?
        public var redeemedAt: Instant?

        enum CodingKeys: String, CodingKey {
            case hash, expiresAt = "expires_at", redirectURI = "redirect_uri", codeChallenge = "code_challenge"
            case nonce, authTime = "auth_time", redeemedAt = "redeemed_at"
        }
    }

    /// The refresh-token family: which generation is current and when it may be used.
    public struct RefreshFamily: Hashable, Sendable, Codable {
        /// 1 for the first refresh token, +1 per rotation.
        public var generation: Int
        /// Hash of the one live refresh token.
        public var currentHash: TokenHash
        /// When the current token was issued; idle expiry counts from here.
        public var issuedAt: Instant
        /// The last rotation, kept for the grace window.
        public var lastRotation: Rotation?
        /// The keyed fingerprint of the family's holder; nil when unknown.
        public var fingerprint: String?

        enum CodingKeys: String, CodingKey {
            case generation, currentHash = "current_hash", issuedAt = "issued_at", lastRotation = "last_rotation", fingerprint
        }
    }

    /// The most recent rotation of the family.
    public struct Rotation: Hashable, Sendable, Codable {
        public var fromGeneration: Int
        public var at: Instant
        /// Whether the rotation's answer was kept for the grace window (outside the log).
        public var graceAnswerKept: Bool?

        enum CodingKeys: String, CodingKey {
            case fromGeneration = "from_generation", at, graceAnswerKept = "grace_answer_kept"
        }
    }

    public var id: GrantID
    public var clientID: ClientID
    public var subject: Subject
    public var sessionID: SessionID?
    /// The scope granted; refresh tokens keep it, access tokens may carry less.
    public var scope: Scope
    public var flow: GrantFlow
    public var status: Status
    public var startedAt: Instant
    /// No refresh token of the grant is valid at or after this (never extended by rotation).
    public var refreshAbsoluteExpiresAt: Instant
    public var code: Code?
    public var refresh: RefreshFamily?
    /// The latest expiry of any access or ID token issued in this grant.
    public var tokensExpireBy: Instant
    /// Why the grant was revoked, once it was.
    public var revocationReason: RevocationReason?
    /// The access tokens revoked one by one, sorted; nil while there is none (and in states
    /// recorded before it existed). Revoking one of them again appends nothing (RFC 7009 is
    /// idempotent).
    public var revokedAccessTokens: [TokenID]?
    /// The resource indicators granted (RFC 8707): every access token's audience is among
    /// them. Nil when none was asked for: the tokens are for the default audience.
    public var resources: Resources?

    enum CodingKeys: String, CodingKey {
        case id = "grant_id", clientID = "client_id", subject = "sub", sessionID = "sid", scope, flow, status
        case startedAt = "started_at", refreshAbsoluteExpiresAt = "refresh_absolute_expires_at", code, refresh
        case tokensExpireBy = "tokens_expire_by", revocationReason = "revocation_reason", revokedAccessTokens = "revoked_jtis"
        case resources
    }
}
