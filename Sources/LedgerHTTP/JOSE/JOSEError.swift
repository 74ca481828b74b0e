/// A failure around signing keys and tokens. Never carries key material or token text.
package struct JOSEError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package enum Code: String, Hashable, Sendable {
        /// The algorithm is not ES256, RS256 or EdDSA.
        case algorithmNotAllowed = "algorithm_not_allowed"
        /// Key generation, sealing or parsing failed.
        case keyMaterial = "key_material"
        /// No active signing key is available.
        case noActiveKey = "no_active_key"
        /// `TOKENLEDGER_KEY_SECRET` is not configured.
        case missingSecret = "missing_secret"
    }

    package var code: Code
    package var detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "JOSEError(\(code.rawValue)): \(detail)" }
}
