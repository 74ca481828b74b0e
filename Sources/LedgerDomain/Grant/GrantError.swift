/// Why a grant command was refused. An opaque code plus context; never carries a secret.
/// The HTTP edge maps codes to RFC 6749 errors in one place.
public struct GrantError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// No grant, code or token matches.
        public static let unknown = Code(name: "unknown")
        /// The grant stream already exists.
        public static let alreadyStarted = Code(name: "already_started")
        /// The grant was revoked.
        public static let revoked = Code(name: "revoked")
        /// The code or refresh token has expired.
        public static let expired = Code(name: "expired")
        /// The code was already redeemed.
        public static let codeReplayed = Code(name: "code_replayed")
        /// The credential belongs to another client.
        public static let clientMismatch = Code(name: "client_mismatch")
        /// redirect_uri differs from the one the code was issued for.
        public static let redirectMismatch = Code(name: "redirect_mismatch")
        /// The PKCE verifier is missing, unexpected, or does not match.
        public static let pkceMismatch = Code(name: "pkce_mismatch")
        /// A code grant without a PKCE challenge (RFC 9700 §2.1.1: PKCE for every client).
        public static let pkceRequired = Code(name: "pkce_required")
        /// A rotated refresh token was presented again.
        public static let reuseDetected = Code(name: "reuse_detected")
        /// The refresh came from another fingerprint and the client's policy refuses it.
        public static let fingerprintChanged = Code(name: "fingerprint_changed")
        /// More scope was asked for than was granted.
        public static let scopeExceeded = Code(name: "scope_exceeded")
        /// A resource was asked for that the grant does not hold (RFC 8707 `invalid_target`).
        public static let targetNotGranted = Code(name: "target_not_granted")
        /// The command does not apply to this grant (e.g. refreshing a client-credentials grant).
        public static let notApplicable = Code(name: "not_applicable")
    }

    /// The kind of refusal.
    public var code: Code
    /// The grant concerned, when known.
    public var grantID: GrantID?
    /// A human-readable detail, free of secrets.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, grant: GrantID?, _ detail: String) {
        self.code = code
        self.grantID = grant
        self.detail = detail
    }

    public var description: String {
        "GrantError(\(code)\(grantID.map { ", grant \($0)" } ?? ""): \(detail))"
    }
}
