import Foundation
import HTTPTypes
import Hummingbird

/// Why a BFF request fails: an opaque code, a secret-free detail and the HTTP status. API and
/// session calls answer it as JSON (`{"error", "error_description"}`), never with a login
/// redirect (a redirect breaks a `fetch` and drops a POST body).
public struct BFFError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// No BFF session, or it ended (logout, revocation, refused refresh).
        public static let unauthenticated = Code(name: "unauthenticated")
        /// A call without the anti-CSRF header (or logout form token).
        public static let csrf = Code(name: "csrf_required")
        /// A malformed or unacceptable request (bad `returnTo`, unknown `state`, …).
        public static let invalidRequest = Code(name: "invalid_request")
        /// The login answer failed a check (`iss`, ID token, `nonce`, …).
        public static let loginRefused = Code(name: "login_refused")
        /// No such upstream or path.
        public static let notFound = Code(name: "not_found")
        /// A request body above the proxy's limit.
        public static let tooLarge = Code(name: "request_too_large")
        /// Redis, the issuer or an upstream cannot answer now; nothing was ended.
        public static let unavailable = Code(name: "temporarily_unavailable")
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable, secret-free.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code): \(detail)" }

    /// The HTTP status of the answer.
    var status: HTTPResponse.Status {
        switch code {
        case .unauthenticated, .csrf: .unauthorized
        case .notFound: .notFound
        case .tooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        default: .badRequest
        }
    }

    /// The JSON answer, never cached.
    func response() -> Response {
        let body = (try? JSONEncoder().encode(["error": code.name, "error_description": detail])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
