/// Everything the service reads from its configuration, with the documented defaults. Read
/// once at the composition root; modules below receive plain values.
struct ServiceConfiguration: Sendable {
    /// Public base URL (`TOKENLEDGER_ISSUER`).
    var issuer = "http://127.0.0.1:8080"
    /// PostgreSQL URL (`TOKENLEDGER_DATABASE_URL`).
    var databaseURL = "postgres://postgres@127.0.0.1:54329/tokenledger"
    /// Redis URL (`TOKENLEDGER_REDIS_URL`).
    var redisURL = "redis://127.0.0.1:56379/0"
    /// Revocation channel.
    var redisChannel = "tokenledger:revocations"
    /// Public listener address.
    var publicHost = "127.0.0.1"
    /// Public listener port (`TOKENLEDGER_PUBLIC_PORT`).
    var publicPort = 8080
    /// Admin listener address; loopback unless deliberately changed.
    var adminHost = "127.0.0.1"
    /// Admin listener port (`TOKENLEDGER_ADMIN_PORT`).
    var adminPort = 8081
    /// Bearer key for the admin listener (`TOKENLEDGER_ADMIN_TOKEN`); nil disables admin APIs.
    var adminToken: String?
    /// Built-in login users file (`TOKENLEDGER_USERS_FILE`).
    var usersFile: String?
    /// Secret that encrypts private signing keys at rest (`TOKENLEDGER_KEY_SECRET`).
    var keySecret: String?
    /// Algorithm of generated signing keys: ES256, RS256 or EdDSA.
    var signingAlgorithm = "ES256"
    /// Seconds a rotated-in key is published before it signs.
    var keyPublishLeadSeconds = 60
    /// Most concurrent OP sessions per subject; starting one more revokes the oldest. nil or 0: unlimited.
    var sessionsMaxPerSubject: Int?
    /// OP sessions end after this long without a sign-in through them (`TOKENLEDGER_SESSIONS_IDLE_SECONDS`).
    var sessionsIdleSeconds = 8 * 3600
    /// OP sessions end this long after the login (`TOKENLEDGER_SESSIONS_ABSOLUTE_SECONDS`).
    var sessionsAbsoluteSeconds = 7 * 24 * 3600
    /// Requests per second each client may make to `/token`, `/introspect` and `/revoke`
    /// (`TOKENLEDGER_RATE_LIMIT_CLIENT_PER_SECOND`); 0 (the default) sets no limit.
    var rateLimitClientPerSecond = 0.0
    /// Requests a client may make at once before the rate applies
    /// (`TOKENLEDGER_RATE_LIMIT_CLIENT_BURST`); default twice the rate.
    var rateLimitClientBurst: Int?
    /// The header a trusted reverse proxy sets to the client's address
    /// (`TOKENLEDGER_TRUSTED_PROXY_HEADER`, e.g. `X-Forwarded-For`); nil uses the connection's peer.
    var trustedProxyHeader: String?
    /// The `aud` of access tokens asked for no `resource` (`TOKENLEDGER_DEFAULT_AUDIENCE`,
    /// RFC 8707); nil uses the issuer.
    var defaultAudience: String?
    /// The platform's login app (`TOKENLEDGER_LOGIN_URL`); nil shows the built-in form.
    var loginURL: String?
    /// Seconds between sweeps of the live projections (`TOKENLEDGER_SWEEP_INTERVAL_SECONDS`); 0 turns the sweeper off.
    var sweepIntervalSeconds = 60
    /// The platform's consent app (`TOKENLEDGER_CONSENT_URL`); nil asks no consent.
    var consentURL: String?
    /// swift-log level.
    var logLevel = "info"
}
