/// An OAuth scope: a set of space-separated tokens (RFC 6749 §3.3), kept sorted so equal
/// scopes encode to equal bytes.
public struct Scope: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The individual scope tokens, sorted and without duplicates.
    public private(set) var values: [String]

    /// Builds a scope from tokens; duplicates are dropped and order is normalized.
    public init<S: Sequence>(_ values: S) where S.Element == String {
        self.values = Array(Set(values.filter { !$0.isEmpty })).sorted()
    }

    /// Parses the space-delimited wire form (`"openid profile"`).
    public init(parsing text: String) {
        self.init(text.split(separator: " ").map(String.init))
    }

    /// The space-delimited wire form.
    public var description: String { values.joined(separator: " ") }

    /// Whether every token of `other` is also in this scope.
    public func contains(_ other: Scope) -> Bool { Set(values).isSuperset(of: other.values) }

    /// Whether the scope holds one token.
    public func contains(_ token: String) -> Bool { values.contains(token) }

    public init(from decoder: any Decoder) throws {
        self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
