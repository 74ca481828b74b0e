/// Who and what caused an event, stored beside it in `metadata`. Addresses and user agents are
/// recorded only as hashes (I6).
public struct EventMetadata: Sendable, Hashable, Codable {
    /// `user:<sub>`, `client:<id>`, `admin`, `system`.
    public var actor: String
    public var clientID: String?
    public var requestID: String?
    /// Keyed digest (HMAC-SHA256 hex) of the client IP address.
    public var ipHash: String?
    /// Keyed digest (HMAC-SHA256 hex) of the User-Agent header.
    public var userAgentHash: String?

    /// Creates metadata.
    public init(actor: String, clientID: String? = nil, requestID: String? = nil, ipHash: String? = nil, userAgentHash: String? = nil) {
        self.actor = actor
        self.clientID = clientID
        self.requestID = requestID
        self.ipHash = ipHash
        self.userAgentHash = userAgentHash
    }

    /// The caller's fingerprint: its address and user-agent digests together; nil when neither
    /// is known.
    public var fingerprint: String? {
        guard ipHash != nil || userAgentHash != nil else { return nil }
        return (ipHash ?? "-") + "/" + (userAgentHash ?? "-")
    }

    /// Metadata for events the service causes on its own.
    public static let system = EventMetadata(actor: "system")

    enum CodingKeys: String, CodingKey {
        case actor, clientID = "client_id", requestID = "request_id", ipHash = "ip_hash", userAgentHash = "ua_hash"
    }
}
