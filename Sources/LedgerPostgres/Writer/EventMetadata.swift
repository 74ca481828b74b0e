/// Who and what caused an event, stored beside it in `metadata`. Addresses and user agents are
/// recorded only as hashes (I6).
package struct EventMetadata: Sendable, Hashable, Codable {
    /// `user:<sub>`, `client:<id>`, `admin`, `system`.
    package var actor: String
    package var clientID: String?
    package var requestID: String?
    /// SHA-256 hex of the client IP address.
    package var ipHash: String?
    /// SHA-256 hex of the User-Agent header.
    package var userAgentHash: String?

    /// Creates metadata.
    package init(actor: String, clientID: String? = nil, requestID: String? = nil, ipHash: String? = nil, userAgentHash: String? = nil) {
        self.actor = actor
        self.clientID = clientID
        self.requestID = requestID
        self.ipHash = ipHash
        self.userAgentHash = userAgentHash
    }

    /// Metadata for events the service causes on its own.
    package static let system = EventMetadata(actor: "system")

    enum CodingKeys: String, CodingKey {
        case actor, clientID = "client_id", requestID = "request_id", ipHash = "ip_hash", userAgentHash = "ua_hash"
    }
}
