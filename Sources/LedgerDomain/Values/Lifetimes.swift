/// How long each kind of credential lives (docs/design.md#grants-sessions-and-lifetimes). Per-client overridable; the defaults
/// are the documented ones.
public struct Lifetimes: Hashable, Sendable, Codable {
    /// Access token lifetime. Default 10 minutes; never more than ``maximumAccessToken``.
    public var accessToken: Duration
    /// ID token lifetime. Default 10 minutes; never more than ``maximumIDToken``.
    public var idToken: Duration
    /// Authorization code lifetime. Default 60 s; never more than 60 s (I7).
    public var authorizationCode: Duration
    /// A refresh token unused this long expires. Default 14 days.
    public var refreshTokenIdle: Duration
    /// No refresh token of a grant outlives this, counted from the grant's start. Default 30 days.
    public var refreshTokenAbsolute: Duration
    /// How long a rotated refresh token may be presented again and answered with the same
    /// successor instead of counting as reuse (I3). Default zero: no grace.
    public var refreshGrace: Duration

    /// The longest any token issued under these lifetimes lives: a subject or client
    /// revocation's watermark must stay on the deny-list this long.
    public var longestToken: Duration { max(accessToken, idToken, refreshTokenAbsolute) }

    /// Creates lifetimes; the authorization code lifetime is capped at 60 s, the access
    /// token's at ``maximumAccessToken``, the ID token's at ``maximumIDToken``.
    public init(
        accessToken: Duration = .seconds(600),
        idToken: Duration = .seconds(600),
        authorizationCode: Duration = .seconds(60),
        refreshTokenIdle: Duration = .seconds(14 * 24 * 3600),
        refreshTokenAbsolute: Duration = .seconds(30 * 24 * 3600),
        refreshGrace: Duration = .zero
    ) {
        self.accessToken = min(accessToken, Self.maximumAccessToken)
        self.idToken = min(idToken, Self.maximumIDToken)
        self.authorizationCode = min(authorizationCode, .seconds(60))
        self.refreshTokenIdle = refreshTokenIdle
        self.refreshTokenAbsolute = refreshTokenAbsolute
        self.refreshGrace = refreshGrace
    }

    /// The documented defaults.
    public static let standard = Lifetimes()

    /// The longest an access token lives, whatever a registration says: a bearer token that
    /// leaks is usable until it expires (RFC 9700 §2.2.2 favours short-lived access tokens).
    public static let maximumAccessToken: Duration = .seconds(3600)

    /// The longest an ID token lives, whatever a registration says.
    public static let maximumIDToken: Duration = .seconds(24 * 3600)

    /// The longest any signed token lives: a retired signing key stays in JWKS this long.
    public static var maximumTokenLifetime: Duration { max(maximumAccessToken, maximumIDToken) }

    private enum CodingKeys: String, CodingKey {
        case accessToken = "access_token_seconds"
        case idToken = "id_token_seconds"
        case authorizationCode = "authorization_code_seconds"
        case refreshTokenIdle = "refresh_token_idle_seconds"
        case refreshTokenAbsolute = "refresh_token_absolute_seconds"
        case refreshGrace = "refresh_grace_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func seconds(_ key: CodingKeys, _ fallback: Duration) throws -> Duration {
            try c.decodeIfPresent(Int64.self, forKey: key).map { .seconds($0) } ?? fallback
        }
        let standard = Lifetimes()
        self.init(
            accessToken: try seconds(.accessToken, standard.accessToken),
            idToken: try seconds(.idToken, standard.idToken),
            authorizationCode: try seconds(.authorizationCode, standard.authorizationCode),
            refreshTokenIdle: try seconds(.refreshTokenIdle, standard.refreshTokenIdle),
            refreshTokenAbsolute: try seconds(.refreshTokenAbsolute, standard.refreshTokenAbsolute),
            refreshGrace: try seconds(.refreshGrace, standard.refreshGrace)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accessToken.components.seconds, forKey: .accessToken)
        try c.encode(idToken.components.seconds, forKey: .idToken)
        try c.encode(authorizationCode.components.seconds, forKey: .authorizationCode)
        try c.encode(refreshTokenIdle.components.seconds, forKey: .refreshTokenIdle)
        try c.encode(refreshTokenAbsolute.components.seconds, forKey: .refreshTokenAbsolute)
        try c.encode(refreshGrace.components.seconds, forKey: .refreshGrace)
    }
}
