/// Why a login flow command was refused. Never carries a handle.
public struct LoginFlowError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// No such flow, or the handle does not match the one the flow waits for.
        public static let unknown = Code(name: "unknown")
        /// The flow expired.
        public static let expired = Code(name: "expired")
        /// The handle was already used: the flow has moved on.
        public static let alreadyUsed = Code(name: "already_used")
        /// The verifier came from another browser than the one that started the flow.
        public static let otherBrowser = Code(name: "other_browser")
        /// A login with `skip` must keep the session's subject.
        public static let subjectMismatch = Code(name: "subject_mismatch")
        /// More scope was granted than asked for.
        public static let scopeExceeded = Code(name: "scope_exceeded")
    }

    public var code: Code
    public var flowID: LoginFlowID?
    public var detail: String

    public init(_ code: Code, flow: LoginFlowID?, _ detail: String) {
        self.code = code
        self.flowID = flow
        self.detail = detail
    }

    public var description: String { "LoginFlowError(\(code)\(flowID.map { ", flow \($0)" } ?? "")): \(detail)" }
}
