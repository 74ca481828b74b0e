/// One OP session as far as revocation is concerned, folded from stream `session/<sid>`.
///
/// A minimal aggregate until sessions are built in full: it knows the session's subject (from
/// `session.started`, or from the revocation itself) and whether it was ended or revoked.
public struct SessionRevocation: Hashable, Sendable, Codable {
    /// The session id.
    public var sessionID: SessionID
    /// The user of the session, when known.
    public var subject: Subject?
    /// Set once the session ended normally (logout).
    public var endedAt: Instant?
    /// Set once the session was revoked.
    public var revokedAt: Instant?

    /// Creates the state.
    public init(sessionID: SessionID, subject: Subject?, endedAt: Instant? = nil, revokedAt: Instant? = nil) {
        self.sessionID = sessionID
        self.subject = subject
        self.endedAt = endedAt
        self.revokedAt = revokedAt
    }

    enum CodingKeys: String, CodingKey { case sessionID = "sid", subject = "sub", endedAt = "ended_at", revokedAt = "revoked_at" }
}

/// A request concerning a session's revocation.
public enum SessionRevocationCommand: Sendable, Hashable {
    /// Revoke every token carrying the session id. `subject` is the session's user as the
    /// caller found it (from the session's grants) when the stream does not record it.
    case revoke(SessionID, subject: Subject, reason: RevocationReason, tokensExpireBy: Instant)
}

extension SessionRevocation: Aggregate {
    /// Revoking is idempotent: a session already revoked changes nothing. Never refused.
    public static func decide(
        _ command: SessionRevocationCommand, _ state: SessionRevocation?, _ context: DecisionContext
    ) -> Decision<SessionEvent, Never> {
        switch command {
        case .revoke(let sid, let subject, let reason, let expireBy):
            guard state?.revokedAt == nil else { return .accepted([]) }
            return .accepted([
                .revoked(SessionRevoked(
                    sessionID: sid, subject: state?.subject ?? subject, reason: reason, at: context.now,
                    until: max(expireBy, context.now)
                ))
            ])
        }
    }

    public static func evolve(_ state: SessionRevocation?, _ event: SessionEvent) -> SessionRevocation? {
        switch event {
        case .started(let e):
            return SessionRevocation(sessionID: e.sessionID, subject: e.subject)
        case .ended(let e):
            var session = state ?? SessionRevocation(sessionID: e.sessionID, subject: nil)
            session.endedAt = e.at
            return session
        case .revoked(let e):
            var session = state ?? SessionRevocation(sessionID: e.sessionID, subject: e.subject)
            session.subject = session.subject ?? e.subject
            session.revokedAt = e.at
            return session
        }
    }
}
