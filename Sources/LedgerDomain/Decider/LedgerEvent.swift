/// Any event of the catalogue: the union the log stores, decoded by its type name prefix.
public enum LedgerEvent: Sendable, Hashable {
    case grant(GrantEvent)
    case session(SessionEvent)
    case client(ClientEvent)
    case subject(SubjectEvent)
    case signingKey(SigningKeyEvent)
    case login(LoginEvent)
    case consent(ConsentEvent)

    /// The full catalogue of stored type names.
    public static let typeNames: [String] =
        GrantEvent.typeNames + SessionEvent.typeNames + ClientEvent.typeNames + SubjectEvent.typeNames
        + SigningKeyEvent.typeNames + LoginEvent.typeNames + ConsentEvent.typeNames

    /// The wrapped event.
    public var event: any DomainEvent {
        switch self {
        case .grant(let e): e
        case .session(let e): e
        case .client(let e): e
        case .subject(let e): e
        case .signingKey(let e): e
        case .login(let e): e
        case .consent(let e): e
        }
    }

    /// Decodes a stored event by its type name.
    public init(typeName: String, from decoder: any Decoder) throws {
        switch typeName.prefix(while: { $0 != "." }) {
        case "grant": self = .grant(try GrantEvent(typeName: typeName, from: decoder))
        case "session": self = .session(try SessionEvent(typeName: typeName, from: decoder))
        case "client": self = .client(try ClientEvent(typeName: typeName, from: decoder))
        case "subject": self = .subject(try SubjectEvent(typeName: typeName, from: decoder))
        case "key": self = .signingKey(try SigningKeyEvent(typeName: typeName, from: decoder))
        case "login": self = .login(try LoginEvent(typeName: typeName, from: decoder))
        case "consent" where ConsentEvent.Kind(rawValue: typeName) != nil:
            self = .consent(try ConsentEvent(typeName: typeName, from: decoder))
        case "consent": self = .login(try LoginEvent(typeName: typeName, from: decoder))
        default: throw UnknownEventType(typeName: typeName)
        }
    }
}

