/// Who and what caused an event, stored beside it in `metadata`. Addresses and user agents are
/// recorded only as hashes (I6).
public struct EventMetadata: Sendable, Hashable, Codable {
    /// `user:<sub>`, `client:<id>`, `admin`, `system`.
    public var actor: String
    public var clientID: String?
    public var requestID: String?
    /// Keyed digest (HMAC-SHA256, base64url; hex in older logs) of the client IP address.
    public var ipHash: String?
    /// Keyed digest (HMAC-SHA256, base64url; hex in older logs) of the User-Agent header.
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

    /// The actor a client acting for itself is recorded as.
    private var actingClient: String? {
        actor.hasPrefix(Self.clientActorPrefix) ? String(actor.dropFirst(Self.clientActorPrefix.count)) : nil
    }

    private static let clientActorPrefix = "client:"

    /// Stored without `client_id` when the actor names the same client: no field twice.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(actor, forKey: .actor)
        if clientID != actingClient { try container.encodeIfPresent(clientID, forKey: .clientID) }
        try container.encodeIfPresent(requestID, forKey: .requestID)
        try container.encodeIfPresent(ipHash, forKey: .ipHash)
        try container.encodeIfPresent(userAgentHash, forKey: .userAgentHash)
    }

    /// Reads either form: `client_id` absent means the acting client's.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        actor = try container.decode(String.self, forKey: .actor)
        requestID = try container.decodeIfPresent(String.self, forKey: .requestID)
        ipHash = try container.decodeIfPresent(String.self, forKey: .ipHash)
        userAgentHash = try container.decodeIfPresent(String.self, forKey: .userAgentHash)
        clientID = nil
        clientID = try container.decodeIfPresent(String.self, forKey: .clientID) ?? actingClient
    }
}
