import Foundation
import HTTPTypes
import Hummingbird
import LedgerService

/// An error of the admin API, answered as `{"error": …, "error_description": …}` JSON. The
/// description names fields, never their values, so no secret is ever echoed (I6).
package struct AdminError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `error` code (RFC 7591 §3.2.2 codes for client registration).
    package var code: String
    /// `error_description`: human-readable, secret-free.
    package var detail: String
    /// The HTTP status.
    package var status: HTTPResponse.Status

    /// Creates an error.
    package init(_ code: String, _ detail: String, status: HTTPResponse.Status = .badRequest) {
        self.code = code
        self.detail = detail
        self.status = status
    }

    package var description: String { "\(code): \(detail)" }

    /// A client metadata value is invalid (RFC 7591 §3.2.2).
    package static func invalidClientMetadata(_ detail: String) -> AdminError { AdminError("invalid_client_metadata", detail) }
    /// A redirection URI is invalid (RFC 7591 §3.2.2).
    package static func invalidRedirectURI(_ detail: String) -> AdminError { AdminError("invalid_redirect_uri", detail) }
    /// The request body is malformed.
    package static func invalidRequest(_ detail: String) -> AdminError { AdminError("invalid_request", detail) }
    /// The addressed resource does not exist.
    package static func notFound(_ detail: String) -> AdminError { AdminError("not_found", detail, status: .notFound) }
    /// The database cannot answer now; nothing was changed or the outcome is unknown.
    package static func unavailable(_ detail: String) -> AdminError { AdminError("temporarily_unavailable", detail, status: .serviceUnavailable) }

    /// The JSON error response, not cacheable.
    package func response() -> Response {
        AdminJSON.response(["error": code, "error_description": detail], status: status)
    }
}

extension AdminError {
    /// The admin API's answer to a client registration failure.
    package init(_ error: ClientRegistrationError) {
        switch error.code {
        case .notFound: self = .notFound(error.detail)
        case .unavailable: self = .unavailable(error.detail)
        default: self.init(error.code.description, error.detail)
        }
    }
}

extension AdminError {
    /// The admin API's answer to a failed revocation.
    package init(_ error: RevocationError) {
        switch error.code {
        case .notFound: self = .notFound(error.detail)
        default: self = .unavailable(error.detail)
        }
    }
}
