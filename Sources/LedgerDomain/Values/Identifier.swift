/// A string identifier made distinct per kind by a phantom tag, so a grant id can never be
/// passed where a session id is expected. Encodes as a bare JSON string.
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The opaque identifier text.
    public var rawValue: String

    /// Wraps an identifier text.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Marks a kind of identifier.
public protocol IdentifierKind: Sendable {}

/// Tag types for ``Identifier``.
public enum IdentifierKinds {
    public enum Grant: IdentifierKind {}
    public enum Session: IdentifierKind {}
    public enum Client: IdentifierKind {}
    public enum Subject: IdentifierKind {}
    public enum Token: IdentifierKind {}
    public enum Key: IdentifierKind {}
    public enum LoginFlow: IdentifierKind {}
}

/// One client's authorization for one subject: one refresh-token family (`grant_id`).
public typealias GrantID = Identifier<IdentifierKinds.Grant>
/// One login at the provider (`sid`).
public typealias SessionID = Identifier<IdentifierKinds.Session>
/// A registered OAuth client (`client_id`).
public typealias ClientID = Identifier<IdentifierKinds.Client>
/// The stable identifier of an end user (`sub`).
public typealias Subject = Identifier<IdentifierKinds.Subject>
/// The unique id of one issued JWT (`jti`).
public typealias TokenID = Identifier<IdentifierKinds.Token>
/// A signing key id (`kid`).
public typealias KeyID = Identifier<IdentifierKinds.Key>
/// One authorization request handed to the platform's login and consent apps (`login/<id>`).
public typealias LoginFlowID = Identifier<IdentifierKinds.LoginFlow>
