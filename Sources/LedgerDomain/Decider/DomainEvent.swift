/// An event of one stream kind: an exhaustive enum whose cases each carry a `Codable` payload.
/// The stable dotted type name is what the log stores in its `type` column.
public protocol DomainEvent: Sendable, Hashable {
    /// The dotted type name stored in the log, e.g. `grant.refresh_token.rotated`.
    var typeName: String { get }
    /// Every type name this enum can decode, for catalogue checks.
    static var typeNames: [String] { get }
    /// The stream this event belongs to.
    var streamID: StreamID { get }
    /// The event wrapped in the catalogue union.
    var ledgerEvent: LedgerEvent { get }
    /// Encodes the payload of this case.
    func encodePayload(to encoder: any Encoder) throws
    /// Decodes a payload given its type name.
    init(typeName: String, from decoder: any Decoder) throws
}

/// A stream in the log: a kind (`grant`, `session`, `client`, `key`, `subject`) and an id.
public struct StreamID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The stream kind, the first path segment of the id.
    public var kind: String
    /// The identifier within the kind.
    public var id: String

    /// Creates a stream id.
    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    /// Parses `kind/id`; returns nil when there is no slash.
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/") else { return nil }
        self.init(kind: String(text[..<slash]), id: String(text[text.index(after: slash)...]))
    }

    /// The stored form, `kind/id`.
    public var description: String { kind + "/" + id }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.description < rhs.description }

    /// The stream of one grant.
    public static func grant(_ id: GrantID) -> StreamID { StreamID(kind: "grant", id: id.rawValue) }
    /// The stream of one OP session.
    public static func session(_ id: SessionID) -> StreamID { StreamID(kind: "session", id: id.rawValue) }
    /// The stream of one client.
    public static func client(_ id: ClientID) -> StreamID { StreamID(kind: "client", id: id.rawValue) }
    /// The stream of one signing key.
    public static func key(_ id: KeyID) -> StreamID { StreamID(kind: "key", id: id.rawValue) }
    /// The stream of subject-wide facts (subject revocations).
    public static func subject(_ id: Subject) -> StreamID { StreamID(kind: "subject", id: id.rawValue) }
    /// The stream of one delegated login flow.
    public static func login(_ id: LoginFlowID) -> StreamID { StreamID(kind: "login", id: id.rawValue) }
    /// The stream of a subject's remembered consent for one client.
    public static func consent(client: ClientID, subject: Subject) -> StreamID {
        StreamID(kind: "consent", id: client.rawValue + "/" + subject.rawValue)
    }
}

/// Thrown when a stored type name is not part of the catalogue.
public struct UnknownEventType: Error, Hashable, Sendable, CustomStringConvertible {
    /// The type name that was not recognised.
    public var typeName: String
    public init(typeName: String) { self.typeName = typeName }
    public var description: String { "unknown event type \(typeName)" }
}
