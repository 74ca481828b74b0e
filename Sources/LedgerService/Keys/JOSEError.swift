/// A failure around signing keys and tokens. Never carries key material or token text.
package struct JOSEError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package var description: String { name }

        /// The algorithm is not ES256, RS256 or EdDSA.
        package static let algorithmNotAllowed = Code(name: "algorithm_not_allowed")
        /// The token's `typ` is not the one expected (e.g. an ID token presented as an access token).
        package static let wrongType = Code(name: "wrong_type")
        /// Key generation, sealing or parsing failed.
        package static let keyMaterial = Code(name: "key_material")
        /// No active signing key is available.
        package static let noActiveKey = Code(name: "no_active_key")
        /// `TOKENLEDGER_KEY_SECRET` is not configured.
        package static let missingSecret = Code(name: "missing_secret")
    }

    package var code: Code
    package var detail: String

    package init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    package var description: String { "JOSEError(\(code)): \(detail)" }
}
