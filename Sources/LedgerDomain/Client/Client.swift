/// A registered OAuth client, folded from its `client.*` events.
public struct Client: Hashable, Sendable, Codable {
    /// The registration metadata (RFC 7591) and policies; the secret only as a hash.
    public var registration: ClientRegistered
    /// False once the client was deleted.
    public var active: Bool
    /// Tokens of this client issued before this instant are revoked.
    public var revokedBefore: Instant?

    /// The client id.
    public var id: ClientID { registration.clientID }

    /// Whether the client authenticates with a secret.
    public var isConfidential: Bool { registration.tokenEndpointAuthMethod != "none" }

    /// Whether the client may use a grant type.
    public func allows(grantType: String) -> Bool { registration.grantTypes.contains(grantType) }

    enum CodingKeys: String, CodingKey { case registration, active, revokedBefore = "revoked_before" }
}

/// A request to change a client.
public enum ClientCommand: Sendable, Hashable {
    /// Register a new client.
    case register(ClientRegistered)
    /// Delete the client: it can no longer authenticate, and everything it holds is revoked.
    case deactivate(reason: RevocationReason, tokensExpireBy: Instant)
    /// Revoke every token the client holds that was issued until now.
    case revokeTokens(reason: RevocationReason, tokensExpireBy: Instant)
}

/// Why a client command was refused.
public struct ClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The client id is taken.
        public static let alreadyRegistered = Code(name: "already_registered")
        /// No such client.
        public static let unknown = Code(name: "unknown")
        /// The client was deleted.
        public static let inactive = Code(name: "inactive")
    }

    public var code: Code
    public var clientID: ClientID

    public init(_ code: Code, _ clientID: ClientID) {
        self.code = code
        self.clientID = clientID
    }

    public var description: String { "ClientError(\(code), client \(clientID))" }
}

extension Client: Aggregate {
    public static func decide(_ command: ClientCommand, _ state: Client?, _ context: DecisionContext) -> Decision<ClientEvent, ClientError> {
        switch command {
        case .register(let registration):
            guard state == nil else { return .refused(ClientError(.alreadyRegistered, registration.clientID)) }
            return .accepted([.registered(registration)])
        case .deactivate(let reason, let expireBy):
            guard let client = state else { return .refused(ClientError(.unknown, ClientID(""))) }
            guard client.active else { return .accepted([]) }
            return .accepted([
                .revoked(ClientRevoked(clientID: client.id, reason: reason, notBefore: context.now, until: max(expireBy, context.now))),
                .deactivated(ClientDeactivated(clientID: client.id, at: context.now)),
            ])
        case .revokeTokens(let reason, let expireBy):
            guard let client = state else { return .refused(ClientError(.unknown, ClientID(""))) }
            return .accepted([
                .revoked(ClientRevoked(clientID: client.id, reason: reason, notBefore: context.now, until: max(expireBy, context.now)))
            ])
        }
    }

    public static func evolve(_ state: Client?, _ event: ClientEvent) -> Client? {
        switch event {
        case .registered(let registration):
            return Client(registration: registration, active: true, revokedBefore: nil)
        case .updated(let registration):
            guard var client = state else { return nil }
            client.registration = registration
            return client
        case .deactivated:
            guard var client = state else { return nil }
            client.active = false
            return client
        case .revoked(let e):
            guard var client = state else { return nil }
            client.revokedBefore = max(client.revokedBefore ?? e.notBefore, e.notBefore)
            return client
        }
    }
}
