/// Why the kit refused a token or could not do its work. Never carries token text, keys or
/// secrets: `detail` names the claim or header field at fault, not its value.
public struct GuardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Hashable, Sendable {
        /// Not a compact JWS with a JSON header and payload.
        case malformedToken = "malformed_token"
        /// The header `alg` is not ES256, RS256 or EdDSA, or differs from the key's algorithm.
        case algorithmNotAllowed = "algorithm_not_allowed"
        /// The header `typ` is not `at+jwt` (RFC 9068 §4), or `secevent+jwt` for a broadcast message.
        case wrongType = "wrong_type"
        /// No key with the header's `kid` is published, even after refetching the JWKS.
        case unknownKey = "unknown_key"
        /// The signature does not verify.
        case badSignature = "bad_signature"
        /// `iss` is not the configured issuer.
        case wrongIssuer = "wrong_issuer"
        /// `aud` does not contain the configured audience.
        case wrongAudience = "wrong_audience"
        /// `exp` has passed, beyond the allowed skew.
        case expired
        /// `nbf` or `iat` lies in the future, beyond the allowed skew.
        case notYetValid = "not_yet_valid"
        /// A broadcast message is not one this kit understands (neither a revocation nor a heartbeat).
        case malformedMessage = "malformed_message"
        /// A required claim is missing or empty.
        case missingClaim = "missing_claim"
        /// A revocation covers the token.
        case revoked
        /// The revocation state is not known to be current: the kit fails closed.
        case revocationsStale = "revocations_stale"
        /// The JWKS could not be fetched or parsed.
        case jwksUnavailable = "jwks_unavailable"
        /// The catch-up feed or the token endpoint refused or failed.
        case feedUnavailable = "feed_unavailable"
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

    public var description: String { "GuardError(\(code.rawValue)): \(detail)" }
}
