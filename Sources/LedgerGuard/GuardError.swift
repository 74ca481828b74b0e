/// Why the kit refused a token or could not do its work. Never carries token text, keys or
/// secrets: `detail` names the claim or header field at fault, not its value.
public struct GuardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// Not a compact JWS with a JSON header and payload.
        public static let malformedToken = Code(name: "malformed_token")
        /// The header `alg` is not ES256, RS256 or EdDSA, or differs from the key's algorithm.
        public static let algorithmNotAllowed = Code(name: "algorithm_not_allowed")
        /// The header `typ` is not `at+jwt` (RFC 9068 §4), or `secevent+jwt` for a broadcast message.
        public static let wrongType = Code(name: "wrong_type")
        /// No key with the header's `kid` is published, even after refetching the JWKS.
        public static let unknownKey = Code(name: "unknown_key")
        /// The signature does not verify.
        public static let badSignature = Code(name: "bad_signature")
        /// `iss` is not the configured issuer.
        public static let wrongIssuer = Code(name: "wrong_issuer")
        /// `aud` does not contain the configured audience.
        public static let wrongAudience = Code(name: "wrong_audience")
        /// `exp` has passed, beyond the allowed skew.
        public static let expired = Code(name: "expired")
        /// `nbf` or `iat` lies in the future, beyond the allowed skew.
        public static let notYetValid = Code(name: "not_yet_valid")
        /// A broadcast message is not one this kit understands (neither a revocation nor a heartbeat).
        public static let malformedMessage = Code(name: "malformed_message")
        /// A required claim is missing or empty.
        public static let missingClaim = Code(name: "missing_claim")
        /// A revocation covers the token.
        public static let revoked = Code(name: "revoked")
        /// The revocation state is not known to be current: the kit fails closed.
        public static let revocationsStale = Code(name: "revocations_stale")
        /// The JWKS could not be fetched or parsed.
        public static let jwksUnavailable = Code(name: "jwks_unavailable")
        /// The catch-up feed or the token endpoint refused or failed.
        public static let feedUnavailable = Code(name: "feed_unavailable")
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable context, free of token text and secrets.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "GuardError(\(code)): \(detail)" }
}
