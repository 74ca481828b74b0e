import LedgerDomain

/// Everything a resource server configures, with the documented defaults. The JWKS is found
/// through the issuer's discovery document unless `jwksURL` is set; the feed and token
/// endpoints default to `<issuer>/revocations` and `<issuer>/token`. Set the URLs when the
/// service is reached at another address than its issuer URL.
public struct LedgerGuardConfiguration: Sendable {
    /// The exact `iss` of accepted tokens.
    public var issuer: String
    /// This resource server's identifier; `aud` must contain it (the issuer's default audience is its URL).
    public var audience: String
    /// The client this resource server authenticates as to read the catch-up feed (client_secret_basic,
    /// with the `client_credentials` grant and scope `revocations:read`).
    public var clientID: String
    /// That client's secret.
    public var clientSecret: String
    /// Redis URL of the broadcast (`redis://host:port/db`).
    public var redisURL = "redis://127.0.0.1:6379/0"
    /// The broadcast channel.
    public var channel = "tokenledger:revocations"
    /// The JWKS URL; default: the `jwks_uri` of `<issuer>/.well-known/openid-configuration`,
    /// whose `issuer` must match.
    public var jwksURL: String?
    /// The catch-up feed URL; default `<issuer>/revocations`.
    public var feedURL: String?
    /// The token endpoint URL; default `<issuer>/token`.
    public var tokenURL: String?
    /// Tolerance for `exp`, `nbf` and `iat`; at most 15 s.
    public var clockSkew: Duration = .seconds(5)
    /// How long the kit trusts its deny-list without a heartbeat or a successful catch-up; after
    /// that every validation fails closed until it is current again. The broadcast heartbeats
    /// every 2 s, so the default tolerates four missed heartbeats.
    public var stalenessBound: Duration = .seconds(10)
    /// A channel silent this long (the relay heartbeats at least every 2 s) is taken as lost: the
    /// kit reconnects and catches up, so a half-open connection cannot keep it stale for ever.
    /// nil waits for the operating system to notice.
    public var channelIdleTimeout: Duration? = .seconds(6)
    /// Least time between two JWKS fetches triggered by unknown key ids.
    public var jwksRefetchInterval: Duration = .seconds(5)
    /// How many validated tokens are remembered.
    public var cacheCapacity = 100_000
    /// Hears every verified revocation (channel or feed, possibly more than once), e.g. to end
    /// the sessions of a Backend-for-Frontend the revocation covers.
    public var onRevocation: (@Sendable (RevokedEvent) async -> Void)?

    /// Creates a configuration with the defaults above.
    public init(issuer: String, audience: String? = nil, clientID: String, clientSecret: String) {
        self.issuer = issuer
        self.audience = audience ?? issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    var base: String { issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer }
}
