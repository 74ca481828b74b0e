/// An error of the PostgreSQL adapter: an opaque code plus context. Never carries a secret
/// or a statement's bound values.
public struct LedgerStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// Another append to the same stream won; reload and decide again.
        public static let versionConflict = Code(name: "version_conflict")
        /// A stream the decision read (its read set) has moved; re-read it and decide again.
        public static let staleRead = Code(name: "stale_read")
        /// The database could not be reached or the statement failed; the batch did not commit
        /// (or its outcome is unknown if the connection died during COMMIT).
        public static let unavailable = Code(name: "unavailable")
        /// A value could not be encoded or decoded.
        public static let encoding = Code(name: "encoding")
        /// A broadcast message could not be signed.
        public static let signing = Code(name: "signing")
        /// A migration could not be applied.
        public static let migration = Code(name: "migration")
        /// The writer was shut down.
        public static let shutdown = Code(name: "shutdown")
        /// A command kept conflicting past the retry limit.
        public static let contention = Code(name: "contention")
    }

    /// The kind of failure.
    public var code: Code
    /// What was being done, without secrets.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "LedgerStoreError(\(code)): \(detail)" }
}
