/// An error of the PostgreSQL adapter: an opaque code plus context. Never carries a secret
/// or a statement's bound values.
package struct LedgerStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package var description: String { name }

        /// Another append to the same stream won; reload and decide again.
        package static let versionConflict = Code(name: "version_conflict")
        /// A stream the decision read (its read set) has moved; re-read it and decide again.
        package static let staleRead = Code(name: "stale_read")
        /// The database could not be reached or the statement failed; the batch did not commit
        /// (or its outcome is unknown if the connection died during COMMIT).
        package static let unavailable = Code(name: "unavailable")
        /// A value could not be encoded or decoded.
        package static let encoding = Code(name: "encoding")
        /// A broadcast message could not be signed.
        package static let signing = Code(name: "signing")
        /// A migration could not be applied.
        package static let migration = Code(name: "migration")
        /// The writer was shut down.
        package static let shutdown = Code(name: "shutdown")
        /// A command kept conflicting past the retry limit.
        package static let contention = Code(name: "contention")
    }

    /// The kind of failure.
    package var code: Code
    /// What was being done, without secrets.
    package var detail: String

    /// Creates an error.
    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "LedgerStoreError(\(code)): \(detail)" }
}
