/// How a grant came to be.
public enum GrantFlow: String, Hashable, Sendable, Codable {
    /// Authorization code flow (a user signed in).
    case authorizationCode = "authorization_code"
    /// Client credentials (the client acts for itself; no refresh token).
    case clientCredentials = "client_credentials"
}

/// Payload of `grant.started`.
public struct GrantStarted: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var clientID: ClientID
    public var subject: Subject
    public var sessionID: SessionID?
    public var scope: Scope
    public var flow: GrantFlow
    public var startedAt: Instant
    /// No refresh token of this grant is valid at or after this instant (the absolute limit, docs/design.md#grants-sessions-and-lifetimes).
    public var refreshAbsoluteExpiresAt: Instant
    /// The resource indicators granted (RFC 8707); absent when none was asked for, and the
    /// tokens are for the default audience.
    public var resources: Resources?

    public init(
        grantID: GrantID, clientID: ClientID, subject: Subject, sessionID: SessionID?, scope: Scope,
        flow: GrantFlow, startedAt: Instant, refreshAbsoluteExpiresAt: Instant, resources: Resources? = nil
    ) {
        self.grantID = grantID
        self.clientID = clientID
        self.subject = subject
        self.sessionID = sessionID
        self.scope = scope
        self.flow = flow
        self.startedAt = startedAt
        self.refreshAbsoluteExpiresAt = refreshAbsoluteExpiresAt
        self.resources = resources
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", clientID = "client_id", subject = "sub", sessionID = "sid", scope, flow
        case startedAt = "started_at", refreshAbsoluteExpiresAt = "refresh_absolute_expires_at", resources
    }
}

/// Payload of `grant.client_credentials`: a `client_credentials` grant and its one access
/// token, in one event (RFC 6749 §4.4). The token has no refresh family, so nothing else ever
/// happens to the grant but a revocation; its `jti` is the grant id, and its subject the client.
public struct ClientCredentialsIssued: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var clientID: ClientID
    public var scope: Scope
    public var issuedAt: Instant
    public var expiresAt: Instant
    /// The resources the token is for, its `aud` (RFC 8707); absent for the default audience.
    public var audience: Resources?

    public init(grantID: GrantID, clientID: ClientID, scope: Scope, issuedAt: Instant, expiresAt: Instant, audience: Resources? = nil) {
        self.grantID = grantID
        self.clientID = clientID
        self.scope = scope
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.audience = audience
    }

    /// The access token's id: the grant's own.
    public var jti: TokenID { TokenID(grantID.rawValue) }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", clientID = "client_id", scope, issuedAt = "issued_at", expiresAt = "expires_at", audience = "aud"
    }
}

/// Payload of `grant.code.issued`. Only the hash of the code is recorded.
public struct CodeIssued: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var codeHash: TokenHash
    public var issuedAt: Instant
    public var expiresAt: Instant
    public var redirectURI: String
    /// The PKCE S256 challenge, when the request carried one.
    public var codeChallenge: String?
    /// The OIDC nonce to bind into the ID token.
    public var nonce: String?
    /// When the user authenticated (OIDC `auth_time`).
    public var authTime: Instant?

    public init(
        grantID: GrantID, codeHash: TokenHash, issuedAt: Instant, expiresAt: Instant, redirectURI: String,
        codeChallenge: String?, nonce: String?, authTime: Instant?
    ) {
        self.grantID = grantID
        self.codeHash = codeHash
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.authTime = authTime
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", codeHash = "code_hash", issuedAt = "issued_at", expiresAt = "expires_at"
        case redirectURI = "redirect_uri", codeChallenge = "code_challenge", nonce, authTime = "auth_time"
    }
}

/// Payload of `grant.code.redeemed`.
public struct CodeRedeemed: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var codeHash: TokenHash
    public var redeemedAt: Instant

    public init(grantID: GrantID, codeHash: TokenHash, redeemedAt: Instant) {
        self.grantID = grantID
        self.codeHash = codeHash
        self.redeemedAt = redeemedAt
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", codeHash = "code_hash", redeemedAt = "redeemed_at"
    }
}

/// Payload of `grant.code.replayed`: which client presented the spent code, and when.
public struct CodeReplayed: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var codeHash: TokenHash
    public var presentedBy: ClientID
    public var at: Instant

    public init(grantID: GrantID, codeHash: TokenHash, presentedBy: ClientID, at: Instant) {
        self.grantID = grantID
        self.codeHash = codeHash
        self.presentedBy = presentedBy
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", codeHash = "code_hash", presentedBy = "presented_by", at
    }
}

/// Payload of `grant.access_token.issued`: a JWT's identity, life and audience.
public struct AccessTokenIssued: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var jti: TokenID
    public var scope: Scope
    public var issuedAt: Instant
    public var expiresAt: Instant
    /// The resources the token is for, its `aud` (RFC 8707); absent for the default audience.
    public var audience: Resources?

    public init(grantID: GrantID, jti: TokenID, scope: Scope, issuedAt: Instant, expiresAt: Instant, audience: Resources? = nil) {
        self.grantID = grantID
        self.jti = jti
        self.scope = scope
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.audience = audience
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", jti, scope, issuedAt = "issued_at", expiresAt = "expires_at", audience = "aud"
    }
}

/// Payload of `grant.id_token.issued`.
public struct IDTokenIssued: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var jti: TokenID
    public var issuedAt: Instant
    public var expiresAt: Instant

    public init(grantID: GrantID, jti: TokenID, issuedAt: Instant, expiresAt: Instant) {
        self.grantID = grantID
        self.jti = jti
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", jti, issuedAt = "issued_at", expiresAt = "expires_at"
    }
}

/// Payload of `grant.refresh_token.issued`: generation 1 of the family.
public struct RefreshTokenIssued: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var tokenHash: TokenHash
    public var generation: Int
    public var issuedAt: Instant
    /// The keyed fingerprint of the client that redeemed the code (its holder); nil when unknown.
    public var fingerprint: String?

    public init(grantID: GrantID, tokenHash: TokenHash, generation: Int, issuedAt: Instant, fingerprint: String? = nil) {
        self.grantID = grantID
        self.tokenHash = tokenHash
        self.generation = generation
        self.issuedAt = issuedAt
        self.fingerprint = fingerprint
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", tokenHash = "token_hash", generation, issuedAt = "issued_at", fingerprint
    }
}

/// Payload of `grant.fingerprint_changed`: a refresh came from another fingerprint than the
/// family's, and what the client's policy did about it.
public struct FingerprintChanged: Hashable, Sendable, Codable {
    public var grantID: GrantID
    /// The generation presented.
    public var generation: Int
    public var previous: String
    public var presented: String
    public var policy: FingerprintPolicy
    public var at: Instant

    public init(grantID: GrantID, generation: Int, previous: String, presented: String, policy: FingerprintPolicy, at: Instant) {
        self.grantID = grantID
        self.generation = generation
        self.previous = previous
        self.presented = presented
        self.policy = policy
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", generation, previous, presented, policy, at
    }
}

/// Payload of `grant.refresh_token.rotated`.
public struct RefreshTokenRotated: Hashable, Sendable, Codable {
    public var grantID: GrantID
    /// The generation that was presented and is now spent.
    public var fromGeneration: Int
    /// The successor's generation (`fromGeneration + 1`).
    public var toGeneration: Int
    /// The successor's hash.
    public var tokenHash: TokenHash
    public var rotatedAt: Instant
    /// True when the token response for the successor was kept, sealed, outside the log for
    /// the client's grace window, so a duplicate inside it gets the very same answer. Absent
    /// when the client has no grace window. The answer itself never enters the log: with a
    /// spent token, a reader of the log or an export could otherwise open the live one.
    public var graceAnswerKept: Bool?

    public init(
        grantID: GrantID, fromGeneration: Int, toGeneration: Int, tokenHash: TokenHash, rotatedAt: Instant,
        graceAnswerKept: Bool?
    ) {
        self.grantID = grantID
        self.fromGeneration = fromGeneration
        self.toGeneration = toGeneration
        self.tokenHash = tokenHash
        self.rotatedAt = rotatedAt
        self.graceAnswerKept = graceAnswerKept
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", fromGeneration = "from_generation", toGeneration = "to_generation"
        case tokenHash = "token_hash", rotatedAt = "rotated_at", graceAnswerKept = "grace_answer_kept"
    }
}

/// Payload of `grant.refresh_token.grace_replayed`.
public struct RefreshTokenGraceReplayed: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var presentedGeneration: Int
    public var successorGeneration: Int
    public var at: Instant

    public init(grantID: GrantID, presentedGeneration: Int, successorGeneration: Int, at: Instant) {
        self.grantID = grantID
        self.presentedGeneration = presentedGeneration
        self.successorGeneration = successorGeneration
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", presentedGeneration = "presented_generation"
        case successorGeneration = "successor_generation", at
    }
}

/// Payload of `grant.refresh_token.reuse_detected`: which generation was presented, by whom.
public struct ReuseDetected: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var presentedGeneration: Int
    public var currentGeneration: Int
    public var presentedBy: ClientID
    public var at: Instant

    public init(grantID: GrantID, presentedGeneration: Int, currentGeneration: Int, presentedBy: ClientID, at: Instant) {
        self.grantID = grantID
        self.presentedGeneration = presentedGeneration
        self.currentGeneration = currentGeneration
        self.presentedBy = presentedBy
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", presentedGeneration = "presented_generation"
        case currentGeneration = "current_generation", presentedBy = "presented_by", at
    }
}

/// Payload of `grant.access_token.revoked` (scope `token`).
public struct AccessTokenRevoked: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var jti: TokenID
    public var reason: RevocationReason
    public var at: Instant
    /// When the token expires anyway; after this the deny-list entry can be forgotten.
    public var until: Instant

    public init(grantID: GrantID, jti: TokenID, reason: RevocationReason, at: Instant, until: Instant) {
        self.grantID = grantID
        self.jti = jti
        self.reason = reason
        self.at = at
        self.until = until
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", jti, reason, at, until
    }
}

/// Payload of `grant.revoked` (scope `grant`).
public struct GrantRevoked: Hashable, Sendable, Codable {
    public var grantID: GrantID
    public var reason: RevocationReason
    public var at: Instant
    /// When every access token of the grant has expired anyway.
    public var until: Instant

    public init(grantID: GrantID, reason: RevocationReason, at: Instant, until: Instant) {
        self.grantID = grantID
        self.reason = reason
        self.at = at
        self.until = until
    }

    enum CodingKeys: String, CodingKey {
        case grantID = "grant_id", reason, at, until
    }
}
