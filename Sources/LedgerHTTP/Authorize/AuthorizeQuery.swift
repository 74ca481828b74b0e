import Foundation

/// The query of an authorization request, every value of every name kept, so the endpoint can
/// still tell whether the client and redirect URI are unambiguous before it refuses a repeated
/// parameter (I8: a repeated parameter is `invalid_request`, sent back only to a trusted URI).
struct AuthorizeQuery: Sendable {
    /// Name → every non-empty value, in order. Empty values count as absent (RFC 6749 §3.1).
    private(set) var values: [String: [String]] = [:]

    /// Parses `a=1&b=2`; nil when a name or value is not valid percent-encoded UTF-8.
    init?(parsing text: String?) {
        for pair in (text ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else { return nil }
            guard !value.isEmpty else { continue }
            values[name, default: []].append(value)
        }
    }

    /// The value of `name` when every occurrence carries the same one (so it is unambiguous).
    func unambiguous(_ name: String) -> String? {
        guard let all = values[name], let first = all.first, all.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    /// The names given more than once, sorted.
    var repeatedNames: [String] { values.filter { $0.value.count > 1 }.keys.sorted() }

    /// The single value of `name` (callers check ``repeatedNames`` first).
    subscript(_ name: String) -> String? { values[name]?.first }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
