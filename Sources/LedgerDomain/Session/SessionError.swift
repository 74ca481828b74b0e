/// Why a session command was refused. An opaque code plus context; never carries a secret.
public struct SessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// No such session.
        public static let unknown = Code(name: "unknown")
        /// The session stream already exists (session ids are never reused).
        public static let alreadyStarted = Code(name: "already_started")
    }

    /// The kind of refusal.
    public var code: Code
    /// The session concerned.
    public var sessionID: SessionID?
    /// A human-readable detail.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, session: SessionID?, _ detail: String) {
        self.code = code
        self.sessionID = session
        self.detail = detail
    }

    public var description: String { "SessionError(\(code)\(sessionID.map { ", session \($0)" } ?? ""): \(detail))" }
}
