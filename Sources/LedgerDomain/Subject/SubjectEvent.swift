/// Subject-wide facts, in stream `subject/<sub>`.
public enum SubjectEvent: DomainEvent {
    /// Every token of the subject issued before `not_before` is revoked (scope `subject`).
    case revoked(SubjectRevoked)

    /// The stored type name of each case, each spelled once: `typeName`, `typeNames` and the
    /// decoder all derive from it.
    public enum Kind: String, CaseIterable, Sendable {
        case revoked = "subject.revoked"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .revoked: .revoked
        }
    }

    public var typeName: String { kind.rawValue }
    public static let typeNames = Kind.allCases.map(\.rawValue)

    public var streamID: StreamID {
        switch self {
        case .revoked(let e): .subject(e.subject)
        }
    }

    public var ledgerEvent: LedgerEvent { .subject(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .revoked(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .revoked: self = .revoked(try SubjectRevoked(from: decoder))
        }
    }
}

/// Payload of `subject.revoked`.
public struct SubjectRevoked: Hashable, Sendable, Codable {
    public var subject: Subject
    public var reason: RevocationReason
    /// Tokens issued before this instant are revoked.
    public var notBefore: Instant
    /// When every token the revocation covers has expired anyway.
    public var until: Instant

    public init(subject: Subject, reason: RevocationReason, notBefore: Instant, until: Instant) {
        self.subject = subject
        self.reason = reason
        self.notBefore = notBefore
        self.until = until
    }

    enum CodingKeys: String, CodingKey { case subject = "sub", reason, notBefore = "not_before", until }
}
