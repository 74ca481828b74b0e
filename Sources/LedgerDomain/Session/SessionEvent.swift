/// Facts about one OP session (one login at the provider), in stream `session/<sid>`.
/// The request metadata of `session.started` carries the hashed IP and user agent.
public enum SessionEvent: DomainEvent {
    /// A user signed in.
    case started(SessionStarted)
    /// The session ended normally (logout).
    case ended(SessionEnded)
    /// The session was revoked (revocation scope `session`).
    case revoked(SessionRevoked)

    /// The stored type name of each case, each spelled once: `typeName`, `typeNames` and the
    /// decoder all derive from it.
    public enum Kind: String, CaseIterable, Sendable {
        case started = "session.started"
        case ended = "session.ended"
        case revoked = "session.revoked"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .started: .started
        case .ended: .ended
        case .revoked: .revoked
        }
    }

    public var typeName: String { kind.rawValue }

    public static let typeNames = Kind.allCases.map(\.rawValue)

    public var streamID: StreamID {
        switch self {
        case .started(let e): .session(e.sessionID)
        case .ended(let e): .session(e.sessionID)
        case .revoked(let e): .session(e.sessionID)
        }
    }

    public var ledgerEvent: LedgerEvent { .session(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .started(let e): try e.encode(to: encoder)
        case .ended(let e): try e.encode(to: encoder)
        case .revoked(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .started: self = .started(try SessionStarted(from: decoder))
        case .ended: self = .ended(try SessionEnded(from: decoder))
        case .revoked: self = .revoked(try SessionRevoked(from: decoder))
        }
    }
}

/// Payload of `session.started`.
public struct SessionStarted: Hashable, Sendable, Codable {
    public var sessionID: SessionID
    public var subject: Subject
    public var authTime: Instant

    public init(sessionID: SessionID, subject: Subject, authTime: Instant) {
        self.sessionID = sessionID
        self.subject = subject
        self.authTime = authTime
    }

    enum CodingKeys: String, CodingKey { case sessionID = "sid", subject = "sub", authTime = "auth_time" }
}

/// Payload of `session.ended`.
public struct SessionEnded: Hashable, Sendable, Codable {
    public var sessionID: SessionID
    public var reason: RevocationReason
    public var at: Instant

    public init(sessionID: SessionID, reason: RevocationReason, at: Instant) {
        self.sessionID = sessionID
        self.reason = reason
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case sessionID = "sid", reason, at }
}

/// Payload of `session.revoked`: every token carrying this `sid` is revoked.
public struct SessionRevoked: Hashable, Sendable, Codable {
    public var sessionID: SessionID
    public var subject: Subject
    public var reason: RevocationReason
    public var at: Instant
    /// When every token of the session has expired anyway.
    public var until: Instant

    public init(sessionID: SessionID, subject: Subject, reason: RevocationReason, at: Instant, until: Instant) {
        self.sessionID = sessionID
        self.subject = subject
        self.reason = reason
        self.at = at
        self.until = until
    }

    enum CodingKeys: String, CodingKey { case sessionID = "sid", subject = "sub", reason, at, until }
}
