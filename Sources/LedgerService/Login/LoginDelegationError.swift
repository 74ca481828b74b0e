import LedgerDomain

/// Why a delegated login step failed: the flow's own refusal, or the ledger being unreachable.
package struct LoginDelegationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package var description: String { name }

        /// No flow has this handle (or it is malformed).
        package static let notFound = Code(name: "not_found")
        /// The flow expired.
        package static let expired = Code(name: "expired")
        /// The handle was used already, or belongs to another phase.
        package static let alreadyUsed = Code(name: "already_used")
        /// The browser is not the one that started the flow.
        package static let otherBrowser = Code(name: "other_browser")
        /// The answer is not acceptable (another subject than the session's, more scope).
        package static let invalid = Code(name: "invalid_request")
        /// The ledger could not be reached; nothing is known to have changed.
        package static let unavailable = Code(name: "temporarily_unavailable")
    }

    package var code: Code
    package var detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The error for a flow's refusal.
    package init(_ refusal: LoginFlowError) {
        switch refusal.code {
        case .expired: self.init(.expired, "the login flow expired")
        case .alreadyUsed: self.init(.alreadyUsed, "the handle was already used")
        case .otherBrowser: self.init(.otherBrowser, "another browser started this login")
        case .subjectMismatch: self.init(.invalid, "subject must be the subject of the browser's session (skip)")
        case .scopeExceeded: self.init(.invalid, "grant_scope must be within the requested scope")
        default: self.init(.notFound, "no login flow has this handle")
        }
    }

    package var description: String { "\(code): \(detail)" }
}
