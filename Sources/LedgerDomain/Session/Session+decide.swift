extension Session: Aggregate {
    /// The outcome of a session command.
    public typealias SessionDecision = Decision<SessionEvent, SessionError>

    /// Decides what a command does to a session (`nil` when the stream does not exist yet).
    /// Ending and revoking are idempotent: what already happened is not recorded again.
    public static func decide(_ command: SessionCommand, _ state: Session?, _ context: DecisionContext) -> SessionDecision {
        let now = context.now
        switch command {
        case .start(let sid, let subject):
            guard state == nil else { return .refused(SessionError(.alreadyStarted, session: sid, "session exists")) }
            return .accepted([.started(SessionStarted(sessionID: sid, subject: subject, authTime: now))])
        case .end(let reason, let expireBy):
            guard let session = state else { return .refused(SessionError(.unknown, session: nil, "no such session")) }
            var events: [SessionEvent] = []
            if session.endedAt == nil { events.append(.ended(SessionEnded(sessionID: session.sessionID, reason: reason, at: now))) }
            if session.revokedAt == nil { events.append(session.revocation(reason, expireBy, now)) }
            return .accepted(events)
        case .revoke(let sid, let subject, let reason, let expireBy):
            guard state?.revokedAt == nil else { return .accepted([]) }
            let session = state ?? Session(sessionID: sid, subject: subject, authTime: nil)
            return .accepted([session.revocation(reason, expireBy, now)])
        }
    }

    /// Applies one event. Total: an `ended` without a start is ignored, a `revoked` without one
    /// records a session known only by its revocation.
    public static func evolve(_ state: Session?, _ event: SessionEvent) -> Session? {
        switch event {
        case .started(let e):
            return Session(sessionID: e.sessionID, subject: e.subject, authTime: e.authTime)
        case .ended(let e):
            guard var session = state else { return nil }
            session.endedAt = e.at
            session.reason = e.reason
            return session
        case .revoked(let e):
            var session = state ?? Session(sessionID: e.sessionID, subject: e.subject, authTime: nil)
            session.revokedAt = e.at
            session.reason = e.reason
            return session
        }
    }

    private func revocation(_ reason: RevocationReason, _ expireBy: Instant, _ now: Instant) -> SessionEvent {
        .revoked(SessionRevoked(sessionID: sessionID, subject: subject, reason: reason, at: now, until: max(expireBy, now)))
    }
}
