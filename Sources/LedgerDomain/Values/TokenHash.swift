/// The SHA-256 digest of a secret (refresh token, authorization code, client secret),
/// hex-encoded. Only hashes are stored and compared; the domain never sees the secret itself.
public struct TokenHash: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Lower-case hex of the 32-byte digest.
    public var hex: String

    /// Wraps a hex digest computed by the shell.
    public init(hex: String) { self.hex = hex }

    /// A short prefix, safe for logs and error context.
    public var description: String { "sha256:" + hex.prefix(8) + "…" }

    public init(from decoder: any Decoder) throws {
        hex = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
