import Crypto
import LedgerDomain
import LedgerPostgres
import Logging
import PostgresNIO

/// Everything the HTTP routes need, built once at the composition root.
public struct LedgerServices: Sendable {
    /// The public base URL; `iss` of every token.
    public var issuer: String
    /// The `aud` of access tokens (RFC 9068): the resource servers' identifier.
    public var accessTokenAudience: String
    public var database: PostgresClient
    public var writer: EventWriter
    public var grants: GrantStore
    public var clients: ClientStore
    /// OP sessions (one per browser login).
    public var sessions: SessionStore
    /// The per-subject concurrent session limit (docs/openid-connect.md#session-limit); unlimited by default.
    public var sessionLimit: SessionLimit
    public var keys: KeyRing
    /// Bearer key of the admin listener; nil refuses every admin call.
    public var adminToken: String?
    public var logger: Logger
    /// The clock; decisions receive its value.
    public var now: @Sendable () -> Instant
    /// The built-in login users (docs/design.md#configuration-and-operations); empty unless configured.
    public var users: UserDirectory
    /// Seals the authorization request inside the login form (and keys its CSRF token); derive it
    /// from `TOKENLEDGER_KEY_SECRET` with ``AuthorizationRequestSealer/deriveKey(fromSecret:)`` so
    /// every replica can finish a login another one started. The default is random per process.
    public var requestSealingKey: SymmetricKey

    /// Creates the services. Client registrations are reused for up to `clientCacheMaxAge` between
    /// reads (``ClientStore/recent(_:)``).
    public init(
        issuer: String, accessTokenAudience: String? = nil, database: PostgresClient, writer: EventWriter, keys: KeyRing,
        adminToken: String?, logger: Logger, now: @escaping @Sendable () -> Instant = Instant.current,
        users: UserDirectory = .empty, requestSealingKey: SymmetricKey = SymmetricKey(size: .bits256),
        sessionLimit: SessionLimit = .unlimited, clientCacheMaxAge: Duration = .seconds(1)
    ) {
        self.issuer = issuer
        self.accessTokenAudience = accessTokenAudience ?? issuer
        self.database = database
        self.writer = writer
        self.grants = GrantStore(client: database, writer: writer, logger: logger)
        self.clients = ClientStore(client: database, writer: writer, logger: logger, cacheMaxAge: clientCacheMaxAge)
        self.sessions = SessionStore(client: database, writer: writer, logger: logger)
        self.sessionLimit = sessionLimit
        self.keys = keys
        self.adminToken = adminToken
        self.logger = logger
        self.now = now
        self.users = users
        self.requestSealingKey = requestSealingKey
    }
}
