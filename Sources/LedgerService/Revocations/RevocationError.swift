import LedgerPostgres

/// Why an administrative revocation failed: an opaque code plus a detail that names the
/// identifier's kind, never its value.
package struct RevocationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package var description: String { name }

        /// The grant, session, client or access token is unknown.
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

    /// The target is unknown.
    package static func notFound(_ detail: String) -> Self { Self(.notFound, detail) }
    /// The database could not answer.
    package static func unavailable(_ detail: String) -> Self { Self(.unavailable, detail) }
    /// The database could not answer (`error` names its code only).
    package static func unavailable(_ error: LedgerStoreError) -> Self { Self(.unavailable, "the ledger could not be reached (\(error.code))") }
}
