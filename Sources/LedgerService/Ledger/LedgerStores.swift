import LedgerDomain
import LedgerPostgres
import Logging
import PostgresNIO

/// The storage graph of one process: every store over the ledger, built once at the
/// composition root (`tokenledger serve`, each CLI command) and handed to the use cases, so
/// each cache has exactly one owner: the refresh-token rotations in ``grants`` and the client
/// registrations in ``clients``.
package struct LedgerStores: Sendable {
    /// The connection pool.
    package let database: PostgresClient
    /// The group-commit event writer.
    package let writer: EventWriter
    /// Grants, with the refresh-token rotation cache.
    package let grants: GrantStore
    /// Client registrations, with the registration cache.
    package let clients: ClientStore
    /// OP sessions.
    package let sessions: SessionStore
    /// Subject-wide revocations.
    package let subjects: AggregateStore<SubjectRevocations>
    /// The signing keys' lifecycle.
    package let signingKeys: SigningKeyStore
    /// Read-only queries across grants (by subject, session, client, access token).
    package let lookup: GrantLookup
    /// The deny-list's verdicts.
    package let denyList: DenyList
    /// Delegated login flows (the platform's login and consent apps).
    package let loginFlows: AggregateStore<LoginFlow>
    /// Remembered consents.
    package let consents: AggregateStore<Consent>
    /// The claims delegated logins supplied.
    package let delegatedClaims: DelegatedClaimsStore
    /// The logger storage errors are reported to.
    package let logger: Logger

    /// Builds the stores over a running pool and writer. Client registrations are reused for
    /// up to `clientCacheMaxAge` between reads (``ClientStore/recent(_:)``).
    package init(database: PostgresClient, writer: EventWriter, logger: Logger, clientCacheMaxAge: Duration = .seconds(1)) {
        self.database = database
        self.writer = writer
        self.logger = logger
        grants = GrantStore(client: database, writer: writer, logger: logger)
        clients = ClientStore(client: database, writer: writer, logger: logger, cacheMaxAge: clientCacheMaxAge)
        sessions = SessionStore(client: database, writer: writer, logger: logger)
        subjects = AggregateStore(client: database, writer: writer, logger: logger)
        signingKeys = SigningKeyStore(client: database, writer: writer, logger: logger)
        lookup = GrantLookup(client: database, logger: logger)
        denyList = DenyList(client: database, logger: logger)
        loginFlows = AggregateStore(client: database, writer: writer, logger: logger)
        consents = AggregateStore(client: database, writer: writer, logger: logger)
        delegatedClaims = DelegatedClaimsStore(client: database, logger: logger)
    }
}
