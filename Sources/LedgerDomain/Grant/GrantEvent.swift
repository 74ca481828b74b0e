/// Every fact in the life of one grant (one refresh-token family), in stream `grant/<id>`.
public enum GrantEvent: DomainEvent {
    /// The grant began: at `/authorize` for the code flow, at `/token` for client credentials.
    case started(GrantStarted)
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
    /// One access token was revoked (revocation scope `token`).
    case accessTokenRevoked(AccessTokenRevoked)
    /// The whole grant was revoked (revocation scope `grant`).
    case revoked(GrantRevoked)

    public var typeName: String {
        switch self {
        case .started: "grant.started"
        case .codeIssued: "grant.code.issued"
        case .codeRedeemed: "grant.code.redeemed"
        case .codeReplayed: "grant.code.replayed"
        case .accessTokenIssued: "grant.access_token.issued"
        case .refreshTokenIssued: "grant.refresh_token.issued"
        case .idTokenIssued: "grant.id_token.issued"
        case .refreshTokenRotated: "grant.refresh_token.rotated"
        case .refreshTokenGraceReplayed: "grant.refresh_token.grace_replayed"
        case .reuseDetected: "grant.refresh_token.reuse_detected"
        case .accessTokenRevoked: "grant.access_token.revoked"
        case .revoked: "grant.revoked"
        }
    }

    public static let typeNames = [
        "grant.started", "grant.code.issued", "grant.code.redeemed", "grant.code.replayed",
        "grant.access_token.issued", "grant.refresh_token.issued", "grant.id_token.issued",
        "grant.refresh_token.rotated", "grant.refresh_token.grace_replayed",
        "grant.refresh_token.reuse_detected", "grant.access_token.revoked", "grant.revoked",
    ]

    public var streamID: StreamID { .grant(grantID) }

    /// The grant every case belongs to.
    public var grantID: GrantID {
        switch self {
        case .started(let e): e.grantID
        case .codeIssued(let e): e.grantID
        case .codeRedeemed(let e): e.grantID
        case .codeReplayed(let e): e.grantID
        case .accessTokenIssued(let e): e.grantID
        case .refreshTokenIssued(let e): e.grantID
        case .idTokenIssued(let e): e.grantID
        case .refreshTokenRotated(let e): e.grantID
        case .refreshTokenGraceReplayed(let e): e.grantID
        case .reuseDetected(let e): e.grantID
        case .accessTokenRevoked(let e): e.grantID
        case .revoked(let e): e.grantID
        }
    }

    public var ledgerEvent: LedgerEvent { .grant(self) }

    public func encodePayload(to encoder: any Encoder) throws {
        switch self {
        case .started(let e): try e.encode(to: encoder)
        case .codeIssued(let e): try e.encode(to: encoder)
        case .codeRedeemed(let e): try e.encode(to: encoder)
        case .codeReplayed(let e): try e.encode(to: encoder)
        case .accessTokenIssued(let e): try e.encode(to: encoder)
        case .refreshTokenIssued(let e): try e.encode(to: encoder)
        case .idTokenIssued(let e): try e.encode(to: encoder)
        case .refreshTokenRotated(let e): try e.encode(to: encoder)
        case .refreshTokenGraceReplayed(let e): try e.encode(to: encoder)
        case .reuseDetected(let e): try e.encode(to: encoder)
        case .accessTokenRevoked(let e): try e.encode(to: encoder)
        case .revoked(let e): try e.encode(to: encoder)
        }
    }

    public init(typeName: String, from decoder: any Decoder) throws {
        switch typeName {
        case "grant.started": self = .started(try GrantStarted(from: decoder))
        case "grant.code.issued": self = .codeIssued(try CodeIssued(from: decoder))
        case "grant.code.redeemed": self = .codeRedeemed(try CodeRedeemed(from: decoder))
        case "grant.code.replayed": self = .codeReplayed(try CodeReplayed(from: decoder))
        case "grant.access_token.issued": self = .accessTokenIssued(try AccessTokenIssued(from: decoder))
        case "grant.refresh_token.issued": self = .refreshTokenIssued(try RefreshTokenIssued(from: decoder))
        case "grant.id_token.issued": self = .idTokenIssued(try IDTokenIssued(from: decoder))
        case "grant.refresh_token.rotated": self = .refreshTokenRotated(try RefreshTokenRotated(from: decoder))
        case "grant.refresh_token.grace_replayed":
            self = .refreshTokenGraceReplayed(try RefreshTokenGraceReplayed(from: decoder))
        case "grant.refresh_token.reuse_detected": self = .reuseDetected(try ReuseDetected(from: decoder))
        case "grant.access_token.revoked": self = .accessTokenRevoked(try AccessTokenRevoked(from: decoder))
        case "grant.revoked": self = .revoked(try GrantRevoked(from: decoder))
        default: throw UnknownEventType(typeName: typeName)
        }
    }
}
