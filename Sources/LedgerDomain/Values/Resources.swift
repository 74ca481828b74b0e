/// Resource indicators (RFC 8707): the absolute URIs of the resource servers a grant or an
/// access token is for, kept sorted and without duplicates so equal sets encode to equal bytes.
/// A token's `aud` is its resources; a grant without any gets the configured default audience.
public struct Resources: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The resource URIs, sorted and without duplicates.
    public private(set) var values: [String]

    /// Builds a set from URIs; duplicates are dropped and order is normalized.
    public init<S: Sequence>(_ values: S) where S.Element == String {
        self.values = Array(Set(values)).sorted()
    }

    /// Whether every resource of `other` is also in this set.
    public func contains(_ other: Resources) -> Bool { Set(values).isSuperset(of: other.values) }

    /// Whether the set holds `resource`.
    public func contains(_ resource: String) -> Bool { values.contains(resource) }

    public var description: String { values.joined(separator: " ") }

    /// Whether `text` may name a resource (RFC 8707 §2): an absolute URI, with a scheme and
    /// something after it, no fragment, no whitespace or control characters, at most 2,000
    /// characters.
    public static func isIndicator(_ text: String) -> Bool {
        guard text.utf8.count <= 2000, !text.contains("#"), let colon = text.firstIndex(of: ":") else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
            scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) }),
            text.index(after: colon) < text.endIndex
        else { return false }
        return text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F }
    }

    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
