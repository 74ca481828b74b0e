/// Facts about one signing key, in stream `key/<kid>`. The log holds public keys only; the
/// private key is stored encrypted elsewhere (README, Configuration).
public enum SigningKeyEvent: DomainEvent {
    /// A key was generated and is published in JWKS (but does not sign yet).
    case added(SigningKeyAdded)
    /// The key became the one that signs new tokens.
    case activated(SigningKeyChanged)
    /// The key stopped signing; it stays published until `publish_until`.
    case retired(SigningKeyRetired)

    /// The stored type name of each case, each spelled once: `typeName`, `typeNames` and the
    /// decoder all derive from it.
    public enum Kind: String, CaseIterable, Sendable {
        case added = "key.added"
        case activated = "key.activated"
        case retired = "key.retired"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .added: .added
        case .activated: .activated
        case .retired: .retired
        }
    }

    public var typeName: String { kind.rawValue }

    public static let typeNames = Kind.allCases.map(\.rawValue)

    public var streamID: StreamID {
        switch self {
        case .added(let e): .key(e.keyID)
        case .activated(let e): .key(e.keyID)
        case .retired(let e): .key(e.keyID)
        }
    }

    public var ledgerEvent: LedgerEvent { .signingKey(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .added(let e): try e.encode(to: encoder)
        case .activated(let e): try e.encode(to: encoder)
        case .retired(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .added: self = .added(try SigningKeyAdded(from: decoder))
        case .activated: self = .activated(try SigningKeyChanged(from: decoder))
        case .retired: self = .retired(try SigningKeyRetired(from: decoder))
        }
    }
}

/// Payload of `key.added`.
public struct SigningKeyAdded: Hashable, Sendable, Codable {
    public var keyID: KeyID
    /// `ES256`, `RS256` or `EdDSA`.
    public var algorithm: String
    /// The public JWK, as JSON text.
    public var publicJWK: String
    public var at: Instant

    public init(keyID: KeyID, algorithm: String, publicJWK: String, at: Instant) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.publicJWK = publicJWK
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case keyID = "kid", algorithm = "alg", publicJWK = "public_jwk", at }
}

/// Payload of `key.activated`.
public struct SigningKeyChanged: Hashable, Sendable, Codable {
    public var keyID: KeyID
    public var at: Instant

    public init(keyID: KeyID, at: Instant) {
        self.keyID = keyID
        self.at = at
    }

    enum CodingKeys: String, CodingKey { case keyID = "kid", at }
}

/// Payload of `key.retired`.
public struct SigningKeyRetired: Hashable, Sendable, Codable {
    public var keyID: KeyID
    public var at: Instant
    /// Every token this key signed has expired by then; JWKS drops the key afterwards.
    public var publishUntil: Instant

    public init(keyID: KeyID, at: Instant, publishUntil: Instant) {
        self.keyID = keyID
        self.at = at
        self.publishUntil = publishUntil
    }

    enum CodingKeys: String, CodingKey { case keyID = "kid", at, publishUntil = "publish_until" }
}
