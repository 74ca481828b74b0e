import LedgerDomain

/// Why a token use case refused or failed: an opaque code, a secret-free detail, and for
/// ``Code/refused`` the grant's own refusal. The HTTP edge maps it to the RFC 6749 §5.2 error;
/// nothing here knows the wire.
package struct TokenError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package var description: String { name }

        /// The grant refused the command (``TokenError/refusal`` says why).
        package static let refused = Code(name: "refused")
        /// A required parameter is missing.
        package static let invalidRequest = Code(name: "invalid_request")
        /// The client's credentials did not authenticate it, or it may not use this endpoint.
        package static let invalidClient = Code(name: "invalid_client")
        /// The client's registration changed between authentication and the write: the
        /// request was authorized by a registration that no longer holds. Nothing was written.
        package static let registrationChanged = Code(name: "registration_changed")
        /// The client may not use this grant.
        package static let unauthorizedClient = Code(name: "unauthorized_client")
        /// The requested scope exceeds what the client may have.
        package static let invalidScope = Code(name: "invalid_scope")
        /// A requested resource is not one the client may have (RFC 8707).
        package static let invalidTarget = Code(name: "invalid_target")
        /// The database or the key ring cannot answer now; nothing was issued.
        package static let unavailable = Code(name: "temporarily_unavailable")
    }

    /// The kind of failure.
    package var code: Code
    /// Human-readable, secret-free.
    package var detail: String
    /// The grant's refusal, for ``Code/refused``.
    package var refusal: GrantError?

    /// Creates an error.
    package init(_ code: Code, _ detail: String, refusal: GrantError? = nil) {
        self.code = code
        self.detail = detail
        self.refusal = refusal
    }

    package var description: String { "\(code): \(detail)" }

    /// The grant refused the command.
    package static func refused(_ refusal: GrantError) -> Self { Self(.refused, refusal.description, refusal: refusal) }
    /// A required parameter is missing.
    package static func invalidRequest(_ detail: String) -> Self { Self(.invalidRequest, detail) }
    /// Client authentication failed.
    package static func invalidClient(_ detail: String) -> Self { Self(.invalidClient, detail) }
    /// The registration changed during the request.
    package static let registrationChanged = Self(.registrationChanged, "the client registration changed during the request")
    /// The client may not use this grant.
    package static func unauthorizedClient(_ detail: String) -> Self { Self(.unauthorizedClient, detail) }
    /// The scope is too wide.
    package static func invalidScope(_ detail: String) -> Self { Self(.invalidScope, detail) }
    /// A resource the client may not have.
    package static func invalidTarget(_ detail: String) -> Self { Self(.invalidTarget, detail) }
    /// The database or the key ring could not answer.
    package static func unavailable(_ detail: String) -> Self { Self(.unavailable, detail) }
}
