/// One OP session (one login at the provider, its browser cookie), folded from stream
/// `session/<sid>` by ``Session/evolve(_:_:)``. It may hold grants of several clients; they
/// carry its id as `sid`.
public struct Session: Hashable, Sendable, Codable {
    /// The session id (`sid`).
    public var sessionID: SessionID
    /// The user who signed in.
    public var subject: Subject
    /// When the user authenticated (`auth_time`); nil when the stream holds only a revocation
    /// (a session known from its grants but started before sessions were recorded).
    public var authTime: Instant?
    /// Set once the session ended (logout).
    public var endedAt: Instant?
    /// Set once the tokens of the session were revoked.
    public var revokedAt: Instant?
    /// Why it ended or was revoked, the latest of the two.
    public var reason: RevocationReason?

    /// Creates the state.
    public init(
        sessionID: SessionID, subject: Subject, authTime: Instant?, endedAt: Instant? = nil, revokedAt: Instant? = nil,
        reason: RevocationReason? = nil
    ) {
        self.sessionID = sessionID
        self.subject = subject
        self.authTime = authTime
        self.endedAt = endedAt
        self.revokedAt = revokedAt
        self.reason = reason
    }

    /// Whether the session can still sign the user in without a password (single sign-on).
    public var isActive: Bool { authTime != nil && endedAt == nil && revokedAt == nil }

    enum CodingKeys: String, CodingKey {
        case sessionID = "sid", subject = "sub", authTime = "auth_time", endedAt = "ended_at", revokedAt = "revoked_at", reason
    }
}
