/// Why something was revoked; the text is what broadcasts and audit exports carry (docs/broadcast.md).
public struct RevocationReason: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The wire value, e.g. `reuse_detected`.
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The user logged out.
    public static let logout = RevocationReason("logout")
    /// A rotated refresh token was presented again.
    public static let reuseDetected = RevocationReason("reuse_detected")
    /// A redeemed authorization code was presented again.
    public static let codeReplay = RevocationReason("code_replay")
    /// A refresh token was presented by a client it was not issued to.
    public static let clientMismatch = RevocationReason("client_mismatch")
    /// An administrator revoked it.
    public static let admin = RevocationReason("admin")
    /// The holder revoked it through RFC 7009.
    public static let holderRequest = RevocationReason("revocation_request")
    /// The client was deleted.
    public static let clientDeactivated = RevocationReason("client_deactivated")
    /// The per-subject session limit pushed out the oldest session.
    public static let sessionLimit = RevocationReason("session_limit")
    /// A refresh came from another client fingerprint (policy `revoke`).
    public static let fingerprintChanged = RevocationReason("fingerprint_changed")
    /// The OP session went unused for its idle lifetime.
    public static let sessionIdleTimeout = RevocationReason("session_idle_timeout")
    /// The OP session reached its absolute lifetime.
    public static let sessionAbsoluteTimeout = RevocationReason("session_absolute_timeout")

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
