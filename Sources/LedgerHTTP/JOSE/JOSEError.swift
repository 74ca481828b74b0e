/// A failure around signing keys and tokens. Never carries key material or token text.
public struct JOSEError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Hashable, Sendable {
        /// The algorithm is not ES256, RS256 or EdDSA.
        case algorithmNotAllowed = "algorithm_not_allowed"
        /// Key generation, sealing or parsing failed.
        case keyMaterial = "key_material"
        /// No active signing key is available.
        case noActiveKey = "no_active_key"
        /// `TOKENLEDGER_KEY_SECRET` is not configured.
        case missingSecret = "missing_secret"
    }

    public var code: Code
    public var detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "JOSEError(\(code.rawValue)): \(detail)" }
}
