import Crypto
import LedgerDomain
import LedgerPostgres
import Logging
import PostgresNIO
import LedgerService

/// Everything the HTTP routes need, built once at the composition root.
package struct LedgerServices: Sendable {
    /// The public base URL; `iss` of every token.
    package var issuer: String
    /// The `aud` of access tokens (RFC 9068): the resource servers' identifier.
    package var accessTokenAudience: String
    package var database: PostgresClient
    package var writer: EventWriter
    package var grants: GrantStore
    package var clients: ClientStore
    /// OP sessions (one per browser login).
    package var sessions: SessionStore
    /// The per-subject concurrent session limit (docs/openid-connect.md#session-limit); unlimited by default.
    package var sessionLimit: SessionLimit
    package var keys: KeyRing
    /// Bearer key of the admin listener; nil refuses every admin call.
    package var adminToken: String?
    package var logger: Logger
    /// The clock; decisions receive its value.
    package var now: @Sendable () -> Instant
    /// The built-in login users (docs/design.md#configuration-and-operations); empty unless configured.
    package var users: UserDirectory
    /// Seals the authorization request inside the login form (and keys its CSRF token); derive it
    /// from `TOKENLEDGER_KEY_SECRET` with ``AuthorizationRequestSealer/deriveKey(fromSecret:)`` so
    /// every replica can finish a login another one started. The default is random per process.
    package var requestSealingKey: SymmetricKey

    /// Creates the services. Client registrations are reused for up to `clientCacheMaxAge` between
    /// reads (``ClientStore/recent(_:)``).
    package init(
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
