import LedgerPostgres

/// Why a client could not be registered, read or deactivated: an opaque code (RFC 7591 §3.2.2
/// codes for invalid metadata) plus a detail that names fields, never their values. The admin
/// API answers it as JSON with a status; the CLI prints it.
package struct ClientRegistrationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package var description: String { name }

        /// A client metadata value is invalid (RFC 7591 §3.2.2).
        package static let invalidClientMetadata = Code(name: "invalid_client_metadata")
        /// A redirection URI is invalid (RFC 7591 §3.2.2).
        package static let invalidRedirectURI = Code(name: "invalid_redirect_uri")
        /// No client with that id.
        package static let notFound = Code(name: "not_found")
        /// The database cannot answer now; nothing was changed or the outcome is unknown.
        package static let unavailable = Code(name: "temporarily_unavailable")
    }

    /// The kind of failure.
    package var code: Code
    /// Human-readable, secret-free.
    package var detail: String

    /// Creates an error.
    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "\(code): \(detail)" }

    /// A client metadata value is invalid.
    package static func invalidClientMetadata(_ detail: String) -> Self { Self(.invalidClientMetadata, detail) }
    /// A redirection URI is invalid.
    package static func invalidRedirectURI(_ detail: String) -> Self { Self(.invalidRedirectURI, detail) }
    /// No such client.
    package static func notFound(_ detail: String) -> Self { Self(.notFound, detail) }
    /// The database could not answer.
    package static func unavailable(_ detail: String) -> Self { Self(.unavailable, detail) }
    /// The database could not answer (`error` names its code only).
    package static func unavailable(_ error: LedgerStoreError) -> Self { Self(.unavailable, "the ledger could not be reached (\(error.code))") }
}
