import WebEncoding
import Foundation
import Hummingbird
import LedgerDomain

/// The parameters of an `application/x-www-form-urlencoded` body or a query string, parsed
/// strictly (I8): valid UTF-8 only, each parameter at most once, bounded size.
package struct FormParameters: Sendable, Hashable {
    /// Name → value.
    package private(set) var values: [String: String]
    /// Every non-empty `resource` value, in order: the one parameter that may repeat (RFC 8707 §2).
    package private(set) var resources: [String] = []

    /// The largest form body accepted.
    package static let maximumBodySize = 16 * 1024

    /// Parses `a=1&b=2`. Repeated names (but `resource`) and undecodable text are `invalid_request`.
    package init(parsing text: Substring) throws(OAuthError) {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw .invalidRequest("a parameter is not valid percent-encoded UTF-8")
            }
            if name == "resource" {
                if !value.isEmpty { resources.append(value) }
                continue
            }
            guard values.updateValue(value, forKey: name) == nil else {
                throw .invalidRequest("parameter \(Self.safeName(name)) is repeated")
            }
        }
        self.values = values
    }

    /// Reads and parses a request's form body, checking its content type and size.
    package static func body(of request: Request) async throws(OAuthError) -> FormParameters {
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingOptionalWhitespace.lowercased()
        guard type == "application/x-www-form-urlencoded" else {
            throw .invalidRequest("the body must be application/x-www-form-urlencoded")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maximumBodySize)
        } catch {
            throw .invalidRequest("the body is larger than \(maximumBodySize) bytes")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw .invalidRequest("the body is not valid UTF-8")
        }
        return try FormParameters(parsing: Substring(text))
    }

    /// The query string parameters of a request.
    package static func query(of request: Request) throws(OAuthError) -> FormParameters {
        try FormParameters(parsing: Substring(request.uri.query ?? ""))
    }

    /// A parameter's value; empty values count as absent (RFC 6749 §3.1).
    package subscript(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    /// `application/x-www-form-urlencoded` decoding of one name or value (also the credentials of
    /// `Authorization: Basic`, RFC 6749 §2.3.1); nil for a malformed percent-escape.
    static func decode(_ text: Substring) -> String? {
        // The common case, no `+` and no `%` (minted ids, secrets and tokens), is the text itself.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(text) }
        return text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// A parameter name fit for an error message: only short, plain names are echoed.
    private static func safeName(_ name: String) -> String {
        name.count <= 40 && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? name : "(unnamed)"
    }
}
