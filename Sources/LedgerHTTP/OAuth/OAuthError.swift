import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain

/// An OAuth 2.0 protocol error (RFC 6749 §5.2, RFC 6750 §3, RFC 7009, OIDC Core §3.1.2.6): the
/// one place domain refusals become wire errors. The description never contains a secret.
package struct OAuthError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `error` code.
    package var code: String
    /// `error_description`: human-readable, secret-free.
    package var detail: String
    /// The HTTP status.
    package var status: HTTPResponse.Status
    /// A `WWW-Authenticate` challenge to send (401 for Basic client auth, Bearer errors).
    package var challenge: String?
    /// Seconds for `Retry-After` (429, 503).
    package var retryAfter: Int?

    package init(_ code: String, _ detail: String, status: HTTPResponse.Status = .badRequest, challenge: String? = nil, retryAfter: Int? = nil) {
        self.code = code
        self.detail = detail
        self.status = status
        self.challenge = challenge
        self.retryAfter = retryAfter
    }

    package var description: String { "\(code): \(detail)" }

    package static func invalidRequest(_ detail: String) -> OAuthError { OAuthError("invalid_request", detail) }
    package static func invalidGrant(_ detail: String) -> OAuthError { OAuthError("invalid_grant", detail) }
    package static func invalidScope(_ detail: String) -> OAuthError { OAuthError("invalid_scope", detail) }
    package static func unauthorizedClient(_ detail: String) -> OAuthError { OAuthError("unauthorized_client", detail) }
    package static func unsupportedGrantType(_ detail: String) -> OAuthError { OAuthError("unsupported_grant_type", detail) }
    /// A `resource` is malformed or not one the client may have (RFC 8707 §2).
    package static func invalidTarget(_ detail: String) -> OAuthError { OAuthError("invalid_target", detail) }
    /// Client authentication failed; with Basic auth attempted, 401 and a Basic challenge (RFC 6749 §5.2).
    package static func invalidClient(_ detail: String, basicAttempted: Bool) -> OAuthError {
        basicAttempted
            ? OAuthError("invalid_client", detail, status: .unauthorized, challenge: "Basic realm=\"tokenledger\"")
            : OAuthError("invalid_client", detail, status: .unauthorized)
    }
    /// The client sent more requests than its rate limit allows; nothing was changed. RFC 6749
    /// has no code for it: `temporarily_unavailable` with 429 (RFC 6585) and `Retry-After`.
    package static func rateLimited(retryAfter: Duration) -> OAuthError {
        let seconds = max(1, Int((retryAfter.milliseconds + 999) / 1000))
        return OAuthError("temporarily_unavailable", "rate limit exceeded", status: .tooManyRequests, retryAfter: seconds)
    }
    /// The service cannot answer now (database down); nothing was changed.
    package static func temporarilyUnavailable(_ detail: String) -> OAuthError {
        OAuthError("temporarily_unavailable", detail, status: .serviceUnavailable)
    }

    /// The RFC 6749 §5.2 JSON body with `Cache-Control: no-store`.
    package func response() -> Response {
        var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"]
        if let challenge { headers[.wwwAuthenticate] = challenge }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        let body = Data(#"{"error":"\#(code)","error_description":"\#(Self.escape(detail))"}"#.utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Escapes text for a JSON string (descriptions are ASCII but may contain quotes).
    static func escape(_ text: String) -> String {
        let encoded = (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        return String(encoded.dropFirst().dropLast())
    }
}
