import Crypto
import LedgerDomain
import LedgerPostgres
import LedgerService
import Logging
import PostgresNIO

/// Everything the HTTP routes need: the process's stores, built once at the composition root
/// and injected, and the use cases over them, each built here once.
package struct LedgerServices: Sendable {
    /// The public base URL; `iss` of every token.
    package var issuer: String
    /// The `aud` of access tokens asked for no resource (RFC 8707, RFC 9068 §3); the issuer
    /// unless configured.
    package var defaultAudience: String
    /// The storage graph (the only owner of its caches).
    package let stores: LedgerStores
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
    /// Keyed digests of peer addresses and user agents for event metadata; build it from
    /// ``Fingerprints/deriveKey(fromSecret:)``. The default is random per process.
    package var fingerprints: Fingerprints
    /// Where client addresses come from (the peer, or a trusted proxy's header).
    package var clientAddresses: ClientAddressSource
    /// Per-client rate limits on `/token`, `/introspect` and `/revoke`; nil: none.
    package let clientRateLimiter: ClientRateLimiter?
    /// The platform's login app (`TOKENLEDGER_LOGIN_URL`): when set, `/authorize` hands every
    /// request to it instead of showing the built-in form (docs/login-delegation.md).
    package var loginURL: String?
    /// The platform's consent app (`TOKENLEDGER_CONSENT_URL`); nil: consent is not asked.
    package var consentURL: String?

    /// Issuing, rotating, revoking and introspecting tokens.
    package let tokens: TokenService
    /// Starting, ending and revoking OP sessions.
    package let sessionLifecycle: SessionLifecycle
    /// Administrative revocations and their cascades.
    package let revocations: AdminRevocations
    /// Client registration.
    package let registration: ClientRegistration
    /// Delegated login and consent flows.
    package let delegation: LoginDelegation

    /// Creates the services over `stores`.
    package init(
        issuer: String, defaultAudience: String? = nil, stores: LedgerStores, keys: KeyRing, adminToken: String?,
        logger: Logger, now: @escaping @Sendable () -> Instant = Instant.current, users: UserDirectory = .empty,
        requestSealingKey: SymmetricKey = SymmetricKey(size: .bits256), fingerprints: Fingerprints = Fingerprints(key: SymmetricKey(size: .bits256)),
        graceKey: SymmetricKey = SymmetricKey(size: .bits256), clientAddresses: ClientAddressSource = .peer,
        sessionLimit: SessionLimit = .unlimited, sessionLifetimes: SessionLifetimes = .standard,
        clientRateLimit: ClientRateLimiter.Policy? = nil, loginURL: String? = nil, consentURL: String? = nil
    ) {
        self.issuer = issuer
        self.defaultAudience = defaultAudience ?? issuer
        self.stores = stores
        self.sessionLimit = sessionLimit
        self.keys = keys
        self.adminToken = adminToken
        self.logger = logger
        self.now = now
        self.users = users
        self.requestSealingKey = requestSealingKey
        self.fingerprints = fingerprints
        self.clientAddresses = clientAddresses
        clientRateLimiter = clientRateLimit.map(ClientRateLimiter.init(policy:))
        sessionLifecycle = SessionLifecycle(stores: stores, limit: sessionLimit, lifetimes: sessionLifetimes, now: now)
        revocations = AdminRevocations(stores: stores, lifecycle: sessionLifecycle, now: now)
        tokens = TokenService(
            issuer: issuer, defaultAudience: defaultAudience ?? issuer, stores: stores, keys: keys, revocations: revocations,
            graceKey: graceKey, delegatedLogins: loginURL != nil, now: now
        )
        registration = ClientRegistration(stores: stores, now: now)
        delegation = LoginDelegation(stores: stores, now: now)
        self.loginURL = loginURL
        self.consentURL = consentURL
    }

    /// The connection pool.
    package var database: PostgresClient { stores.database }
    /// The event writer.
    package var writer: EventWriter { stores.writer }
    /// Grants.
    package var grants: GrantStore { stores.grants }
    /// Client registrations.
    package var clients: ClientStore { stores.clients }
    /// OP sessions (one per browser login).
    package var sessions: SessionStore { stores.sessions }
}
