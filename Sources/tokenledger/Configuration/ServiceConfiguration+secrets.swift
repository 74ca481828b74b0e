import ArgumentParser

extension ServiceConfiguration {
    /// The fewest bytes `TOKENLEDGER_KEY_SECRET` and `TOKENLEDGER_ADMIN_TOKEN` may have.
    static let minimumSecretBytes = 32
    /// The fewest distinct characters either may have: a secret of 32 random bytes, hex or
    /// base64, has far more; a repeated word or a row of zeros has fewer.
    static let minimumDistinctCharacters = 12

    /// The key secret, after checking that it and the admin token (when set) are strong
    /// enough to serve with; throws naming the variable and what is wrong, never its value.
    func strongSecrets() throws(ValidationError) -> String {
        guard let keySecret else {
            throw ValidationError("TOKENLEDGER_KEY_SECRET is required: at least 32 random bytes, e.g. from `openssl rand -hex 32`")
        }
        if let weakness = Self.weakness(of: keySecret) { throw ValidationError("TOKENLEDGER_KEY_SECRET \(weakness)") }
        if let adminToken, let weakness = Self.weakness(of: adminToken) { throw ValidationError("TOKENLEDGER_ADMIN_TOKEN \(weakness)") }
        return keySecret
    }

    /// Why `secret` is too weak, or nil.
    static func weakness(of secret: String) -> String? {
        let bytes = secret.utf8.count
        if bytes < minimumSecretBytes {
            return "has \(bytes) bytes; it needs at least \(minimumSecretBytes) random bytes, e.g. from `openssl rand -hex 32`"
        }
        if Set(secret.utf8).count < minimumDistinctCharacters {
            return "repeats too few characters to be random; use e.g. `openssl rand -hex 32`"
        }
        return nil
    }
}
