/// Every fact in the life of one grant (one refresh-token family), in stream `grant/<id>`.
public enum GrantEvent: DomainEvent {
    /// A code-flow grant began at `/authorize` (older logs: also client credentials).
    case started(GrantStarted)
    /// A client credentials grant and its one access token, in one event.
    case clientCredentialsIssued(ClientCredentialsIssued)
    /// An authorization code was issued for this grant.
    case codeIssued(CodeIssued)
    /// The authorization code was exchanged at the token endpoint.
    case codeRedeemed(CodeRedeemed)
    /// An already redeemed code was presented again (RFC 6749 §4.1.2).
    case codeReplayed(CodeReplayed)
    /// An access token (JWT) was issued.
    case accessTokenIssued(AccessTokenIssued)
    /// The first refresh token of the family was issued.
    case refreshTokenIssued(RefreshTokenIssued)
    /// An ID token was issued.
    case idTokenIssued(IDTokenIssued)
    /// The current refresh token was used and replaced by its successor.
    case refreshTokenRotated(RefreshTokenRotated)
    /// A rotated refresh token was presented again within the grace window and answered with
    /// the same successor.
    case refreshTokenGraceReplayed(RefreshTokenGraceReplayed)
    /// A rotated refresh token was presented again: the family is compromised.
    case reuseDetected(ReuseDetected)
    /// A refresh came from another client fingerprint than the family's.
    case fingerprintChanged(FingerprintChanged)
    /// One access token was revoked (revocation scope `token`).
    case accessTokenRevoked(AccessTokenRevoked)
    /// The whole grant was revoked (revocation scope `grant`).
    case revoked(GrantRevoked)

    /// The stored type name of each case, each spelled once: `typeName`, `typeNames` and the
    /// decoder all derive from it.
    public enum Kind: String, CaseIterable, Sendable {
        case started = "grant.started"
        case clientCredentialsIssued = "grant.client_credentials"
        case codeIssued = "grant.code.issued"
        case codeRedeemed = "grant.code.redeemed"
        case codeReplayed = "grant.code.replayed"
        case accessTokenIssued = "grant.access_token.issued"
        case refreshTokenIssued = "grant.refresh_token.issued"
        case idTokenIssued = "grant.id_token.issued"
        case refreshTokenRotated = "grant.refresh_token.rotated"
        case refreshTokenGraceReplayed = "grant.refresh_token.grace_replayed"
        case reuseDetected = "grant.refresh_token.reuse_detected"
        case fingerprintChanged = "grant.fingerprint_changed"
        case accessTokenRevoked = "grant.access_token.revoked"
        case revoked = "grant.revoked"
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .started: .started
        case .clientCredentialsIssued: .clientCredentialsIssued
        case .codeIssued: .codeIssued
        case .codeRedeemed: .codeRedeemed
        case .codeReplayed: .codeReplayed
        case .accessTokenIssued: .accessTokenIssued
        case .refreshTokenIssued: .refreshTokenIssued
        case .idTokenIssued: .idTokenIssued
        case .refreshTokenRotated: .refreshTokenRotated
        case .refreshTokenGraceReplayed: .refreshTokenGraceReplayed
        case .reuseDetected: .reuseDetected
        case .fingerprintChanged: .fingerprintChanged
        case .accessTokenRevoked: .accessTokenRevoked
        case .revoked: .revoked
        }
    }

    public var typeName: String { kind.rawValue }

    public static let typeNames = Kind.allCases.map(\.rawValue)

    public var streamID: StreamID { .grant(grantID) }

    /// The grant every case belongs to.
    public var grantID: GrantID {
        switch self {
        case .started(let e): e.grantID
        case .clientCredentialsIssued(let e): e.grantID
        case .codeIssued(let e): e.grantID
        case .codeRedeemed(let e): e.grantID
        case .codeReplayed(let e): e.grantID
        case .accessTokenIssued(let e): e.grantID
        case .refreshTokenIssued(let e): e.grantID
        case .idTokenIssued(let e): e.grantID
        case .refreshTokenRotated(let e): e.grantID
        case .refreshTokenGraceReplayed(let e): e.grantID
        case .reuseDetected(let e): e.grantID
        case .fingerprintChanged(let e): e.grantID
        case .accessTokenRevoked(let e): e.grantID
        case .revoked(let e): e.grantID
        }
    }

    public var ledgerEvent: LedgerEvent { .grant(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .started(let e): try e.encode(to: encoder)
        case .clientCredentialsIssued(let e): try e.encode(to: encoder)
        case .codeIssued(let e): try e.encode(to: encoder)
        case .codeRedeemed(let e): try e.encode(to: encoder)
        case .codeReplayed(let e): try e.encode(to: encoder)
        case .accessTokenIssued(let e): try e.encode(to: encoder)
        case .refreshTokenIssued(let e): try e.encode(to: encoder)
        case .idTokenIssued(let e): try e.encode(to: encoder)
        case .refreshTokenRotated(let e): try e.encode(to: encoder)
        case .refreshTokenGraceReplayed(let e): try e.encode(to: encoder)
        case .reuseDetected(let e): try e.encode(to: encoder)
        case .fingerprintChanged(let e): try e.encode(to: encoder)
        case .accessTokenRevoked(let e): try e.encode(to: encoder)
        case .revoked(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        guard let kind = Kind(rawValue: typeName) else { throw UnknownEventType(typeName: typeName) }
        switch kind {
        case .started: self = .started(try GrantStarted(from: decoder))
        case .clientCredentialsIssued: self = .clientCredentialsIssued(try ClientCredentialsIssued(from: decoder))
        case .codeIssued: self = .codeIssued(try CodeIssued(from: decoder))
        case .codeRedeemed: self = .codeRedeemed(try CodeRedeemed(from: decoder))
        case .codeReplayed: self = .codeReplayed(try CodeReplayed(from: decoder))
        case .accessTokenIssued: self = .accessTokenIssued(try AccessTokenIssued(from: decoder))
        case .refreshTokenIssued: self = .refreshTokenIssued(try RefreshTokenIssued(from: decoder))
        case .idTokenIssued: self = .idTokenIssued(try IDTokenIssued(from: decoder))
        case .refreshTokenRotated: self = .refreshTokenRotated(try RefreshTokenRotated(from: decoder))
        case .refreshTokenGraceReplayed:
            self = .refreshTokenGraceReplayed(try RefreshTokenGraceReplayed(from: decoder))
        case .reuseDetected: self = .reuseDetected(try ReuseDetected(from: decoder))
        case .fingerprintChanged: self = .fingerprintChanged(try FingerprintChanged(from: decoder))
        case .accessTokenRevoked: self = .accessTokenRevoked(try AccessTokenRevoked(from: decoder))
        case .revoked: self = .revoked(try GrantRevoked(from: decoder))
        }
    }
}
