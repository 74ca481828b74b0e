/// Facts about one registered client, in stream `client/<client_id>`.
public enum ClientEvent: DomainEvent {
    /// The client was registered (RFC 7591 metadata; only the secret's hash).
    case registered(ClientRegistered)
    /// The client's metadata changed.
    case updated(ClientRegistered)
    /// The client was deleted: it can no longer authenticate.
    case deactivated(ClientDeactivated)
    /// Every token the client holds issued before `not_before` is revoked (scope `client`).
    case revoked(ClientRevoked)

    /// The stored type name of each case, each spelled once: `typeName`, `typeNames` and the
    /// decoder all derive from it.
    public enum Kind: String, CaseIterable, Sendable {
        case registered = "client.registered"
        case updated = "client.updated"
        case deactivated = "client.deactivated"
        case revoked = "client.revoked"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .registered: .registered
        case .updated: .updated
        case .deactivated: .deactivated
        case .revoked: .revoked
        }
    }

    public var typeName: String { kind.rawValue }

    public static let typeNames = Kind.allCases.map(\.rawValue)

    public var streamID: StreamID {
        switch self {
        case .registered(let e), .updated(let e): .client(e.clientID)
        case .deactivated(let e): .client(e.clientID)
        case .revoked(let e): .client(e.clientID)
        }
    }

    public var ledgerEvent: LedgerEvent { .client(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .registered(let e), .updated(let e): try e.encode(to: encoder)
        case .deactivated(let e): try e.encode(to: encoder)
        case .revoked(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .registered: self = .registered(try ClientRegistered(from: decoder))
        case .updated: self = .updated(try ClientRegistered(from: decoder))
        case .deactivated: self = .deactivated(try ClientDeactivated(from: decoder))
        case .revoked: self = .revoked(try ClientRevoked(from: decoder))
        }
    }
}

/// Payload of `client.registered` and `client.updated`: RFC 7591 metadata and policies.
public struct ClientRegistered: Hashable, Sendable, Codable {
    public var clientID: ClientID
    public var clientName: String?
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    public var grantTypes: [String]
    public var responseTypes: [String]
    /// `client_secret_basic`, `client_secret_post` or `none`.
    public var tokenEndpointAuthMethod: String
    public var scope: Scope
    /// Hash of the client secret; nil for public clients.
    public var secretHash: TokenHash?
    public var lifetimes: Lifetimes
    /// `id_token_signed_response_alg` (OpenID Connect Registration §2); nil means RS256.
    public var idTokenSignedResponseAlg: String?
    /// `reuse_policy`: what a reused refresh token revokes, `grant` (nil) or `subject`.
    public var reusePolicy: String?
    /// `fingerprint_policy`: what a refresh from another fingerprint does; nil is `record`.
    public var fingerprintPolicy: FingerprintPolicy?
    /// `resources`: the resource indicators (RFC 8707) the client may ask tokens for, beside
    /// the default audience and the issuer; nil when none.
    public var resources: Resources?
    /// `skip_consent`: a first-party client whose users are never asked for consent by the
    /// platform's consent app; nil is false.
    public var skipConsent: Bool?
    public var at: Instant

    public init(
        clientID: ClientID, clientName: String?, redirectURIs: [String], postLogoutRedirectURIs: [String],
        grantTypes: [String], responseTypes: [String], tokenEndpointAuthMethod: String, scope: Scope,
        secretHash: TokenHash?, lifetimes: Lifetimes, idTokenSignedResponseAlg: String? = nil, reusePolicy: String? = nil,
        fingerprintPolicy: FingerprintPolicy? = nil, resources: Resources? = nil, skipConsent: Bool? = nil, at: Instant
    ) {
        self.clientID = clientID
        self.clientName = clientName
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.grantTypes = grantTypes
        self.responseTypes = responseTypes
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.scope = scope
        self.secretHash = secretHash
        self.lifetimes = lifetimes
        self.idTokenSignedResponseAlg = idTokenSignedResponseAlg
        self.reusePolicy = reusePolicy
        self.fingerprintPolicy = fingerprintPolicy
        self.resources = resources
        self.skipConsent = skipConsent
        self.at = at
    }

    /// The algorithm of the client's ID tokens: the registered one, RS256 by default.
    public var idTokenAlgorithm: String { idTokenSignedResponseAlg ?? "RS256" }

    /// Whether a reused refresh token revokes every grant and OP session of its subject, not
    /// only its grant.
    public var reuseRevokesSubject: Bool { reusePolicy == "subject" }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", clientName = "client_name", redirectURIs = "redirect_uris"
        case postLogoutRedirectURIs = "post_logout_redirect_uris", grantTypes = "grant_types"
        case responseTypes = "response_types", tokenEndpointAuthMethod = "token_endpoint_auth_method", scope
        case secretHash = "secret_hash", lifetimes, idTokenSignedResponseAlg = "id_token_signed_response_alg"
        case reusePolicy = "reuse_policy", fingerprintPolicy = "fingerprint_policy", resources
        case skipConsent = "skip_consent", at
    }
}

/// Payload of `client.deactivated`.
public struct ClientDeactivated: Hashable, Sendable, Codable {
    public var clientID: ClientID
    public var at: Instant

    public init(clientID: ClientID, at: Instant) {
        self.clientID = clientID
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case clientID = "client_id", at }
}

/// Payload of `client.revoked`.
public struct ClientRevoked: Hashable, Sendable, Codable {
    public var clientID: ClientID
    public var reason: RevocationReason
    /// Tokens of the client issued before this instant are revoked.
    public var notBefore: Instant
    /// When every token the revocation covers has expired anyway.
    public var until: Instant

    public init(clientID: ClientID, reason: RevocationReason, notBefore: Instant, until: Instant) {
        self.clientID = clientID
        self.reason = reason
        self.notBefore = notBefore
        self.until = until
    }

    enum CodingKeys: String, CodingKey { case clientID = "client_id", reason, notBefore = "not_before", until }
}
