import LedgerDomain

/// A handle of a delegated login flow (`login_challenge`, `login_verifier`, `consent_challenge`,
/// `consent_verifier`): the flow id, a dot, and 256 random bits. Only its SHA-256 is recorded;
/// the flow id lets the service find the flow, the random part proves the holder got it from
/// the service.
package struct LoginHandle: Sendable, Hashable {
    /// The text handed out.
    package var text: String
    /// The flow it belongs to.
    package var flow: LoginFlowID

    /// A fresh handle of `flow`.
    package static func mint(for flow: LoginFlowID) -> LoginHandle {
        LoginHandle(text: flow.rawValue + "." + SecretDigest.mint(), flow: flow)
    }

    /// Parses a presented handle; nil when it is not of the handle's shape.
    package init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count), parts[1].utf8.count == 43,
            parts[0].utf8.allSatisfy(Self.isIdentifierCharacter)
        else { return nil }
        self.init(text: text, flow: LoginFlowID(String(parts[0])))
    }

    /// A character of a flow id: base64url (``LedgerID``), of which the hex UUIDs of older
    /// flows use a part.
    private static func isIdentifierCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    private init(text: String, flow: LoginFlowID) {
        self.text = text
        self.flow = flow
    }

    /// What the log records of it.
    package var hash: TokenHash { SecretDigest.hash(text) }
}
