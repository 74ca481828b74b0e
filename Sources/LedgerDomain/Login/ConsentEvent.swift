/// A subject's standing consent for one client, in stream `consent/<client_id>/<sub>`: remembered
/// when a consent was granted with `remember`, and revoked by the subject or an administrator.
public enum ConsentEvent: DomainEvent {
    case remembered(ConsentRemembered)
    case revoked(ConsentRevoked)

    /// The stored type name of each case, each spelled once.
    public enum Kind: String, CaseIterable, Sendable {
        case remembered = "consent.remembered"
        case revoked = "consent.revoked"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .remembered: .remembered
        case .revoked: .revoked
        }
    }

    public var typeName: String { kind.rawValue }

    public static let typeNames = Kind.allCases.map(\.rawValue)

    public var streamID: StreamID {
        switch self {
        case .remembered(let e): .consent(client: e.clientID, subject: e.subject)
        case .revoked(let e): .consent(client: e.clientID, subject: e.subject)
        }
    }

    public var ledgerEvent: LedgerEvent { .consent(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .remembered(let e): try e.encode(to: encoder)
        case .revoked(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .remembered: self = .remembered(try ConsentRemembered(from: decoder))
        case .revoked: self = .revoked(try ConsentRevoked(from: decoder))
        }
    }
}

/// Payload of `consent.remembered`.
public struct ConsentRemembered: Hashable, Sendable, Codable {
    public var subject: Subject
    public var clientID: ClientID
    /// The scope later requests may get without asking.
    public var scope: Scope
    /// Until when (nil: until revoked).
    public var until: Instant?
    /// The flow whose consent is remembered.
    public var flowID: LoginFlowID
    public var at: Instant

    public init(subject: Subject, clientID: ClientID, scope: Scope, until: Instant?, flowID: LoginFlowID, at: Instant) {
        self.subject = subject
        self.clientID = clientID
        self.scope = scope
        self.until = until
        self.flowID = flowID
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case subject = "sub", clientID = "client_id", scope, until, flowID = "flow_id", at }
}

/// Payload of `consent.revoked`.
public struct ConsentRevoked: Hashable, Sendable, Codable {
    public var subject: Subject
    public var clientID: ClientID
    public var at: Instant

    public init(subject: Subject, clientID: ClientID, at: Instant) {
        self.subject = subject
        self.clientID = clientID
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case subject = "sub", clientID = "client_id", at }
}
