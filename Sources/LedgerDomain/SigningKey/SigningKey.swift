/// A signing key's public life, folded from its `key.*` events: published first, then active
/// (signs new tokens), then retired (still published until every token it signed expired).
public struct SigningKey: Hashable, Sendable, Codable {
    /// Where the key stands.
    public enum Status: String, Hashable, Sendable, Codable {
        /// In JWKS, not signing yet.
        case published
        /// Signs new tokens.
        case active
        /// No longer signs; in JWKS until `publishUntil`.
        case retired
    }

    public var id: KeyID
    /// `ES256`, `RS256` or `EdDSA`.
    public var algorithm: String
    /// The public JWK as JSON text.
    public var publicJWK: String
    public var status: Status
    public var addedAt: Instant
    public var activatedAt: Instant?
    public var publishUntil: Instant?

    /// Whether JWKS lists the key at `now`.
    public func isPublished(at now: Instant) -> Bool {
        status != .retired || (publishUntil.map { now < $0 } ?? false)
    }

    enum CodingKeys: String, CodingKey {
        case id = "kid", algorithm = "alg", publicJWK = "public_jwk", status, addedAt = "added_at"
        case activatedAt = "activated_at", publishUntil = "publish_until"
    }
}

/// A request to change a signing key.
public enum SigningKeyCommand: Sendable, Hashable {
    /// Publish a newly generated key.
    case add(SigningKeyAdded)
    /// Make the key the signing key.
    case activate
    /// Stop signing with the key; keep it published until `publishUntil`.
    case retire(publishUntil: Instant)
}

/// Why a signing-key command was refused.
public struct SigningKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of refusal.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        public static let alreadyAdded = Code(name: "already_added")
        public static let unknown = Code(name: "unknown")
        /// Only a published key can be activated; a retired key never signs again.
        public static let notPublished = Code(name: "not_published")
        /// The algorithm is not one of ES256, RS256, EdDSA (I7).
        public static let algorithmNotAllowed = Code(name: "algorithm_not_allowed")
    }

    public var code: Code
    public init(_ code: Code) { self.code = code }
    public var description: String { "SigningKeyError(\(code))" }
}

extension SigningKey: Aggregate {
    /// The only algorithms keys may have (I7): never `none`, never HS*.
    public static let allowedAlgorithms: Set<String> = ["ES256", "RS256", "EdDSA"]

    public static func decide(_ command: SigningKeyCommand, _ state: SigningKey?, _ context: DecisionContext) -> Decision<SigningKeyEvent, SigningKeyError> {
        switch command {
        case .add(let added):
            guard state == nil else { return .refused(SigningKeyError(.alreadyAdded)) }
            guard allowedAlgorithms.contains(added.algorithm) else { return .refused(SigningKeyError(.algorithmNotAllowed)) }
            return .accepted([.added(added)])
        case .activate:
            guard let key = state else { return .refused(SigningKeyError(.unknown)) }
            guard key.status == .published else {
                return key.status == .active ? .accepted([]) : .refused(SigningKeyError(.notPublished))
            }
            return .accepted([.activated(SigningKeyChanged(keyID: key.id, at: context.now))])
        case .retire(let publishUntil):
            guard let key = state else { return .refused(SigningKeyError(.unknown)) }
            guard key.status != .retired else { return .accepted([]) }
            return .accepted([.retired(SigningKeyRetired(keyID: key.id, at: context.now, publishUntil: publishUntil))])
        }
    }

    public static func evolve(_ state: SigningKey?, _ event: SigningKeyEvent) -> SigningKey? {
        switch event {
        case .added(let e):
            return SigningKey(id: e.keyID, algorithm: e.algorithm, publicJWK: e.publicJWK, status: .published, addedAt: e.at)
        case .activated(let e):
            guard var key = state else { return nil }
            key.status = .active
            key.activatedAt = e.at
            return key
        case .retired(let e):
            guard var key = state else { return nil }
            key.status = .retired
            key.publishUntil = e.publishUntil
            return key
        }
    }
}
