import Crypto
import LedgerDomain
import LedgerPostgres
import Logging

/// The token use cases of `/token`, `/revoke`, `/introspect` and bearer-protected reads, free
/// of any transport: client authentication, issuing for each grant type, revocation,
/// introspection and the activity check of an access token. Every answer follows the commit
/// of the events that record it (I1); storage failures become ``TokenError/Code/unavailable``
/// after a secret-free log line.
package struct TokenService: Sendable {
    /// The issuer (`iss`) of every token.
    package let issuer: String
    /// The `aud` of access tokens asked for no resource indicator.
    package let defaultAudience: String
    let stores: LedgerStores
    let keys: KeyRing
    let now: @Sendable () -> Instant
    let accessTokens: AccessTokenMinter
    let idTokens: IDTokenMinter
    let graceSeal: GraceSeal
    /// For a client whose `reuse_policy` is `subject`: a reused refresh token revokes the subject.
    let revocations: AdminRevocations
    /// Whether logins are delegated to a login app, whose grants may carry supplied claims.
    let delegatedLogins: Bool

    /// The use cases over `stores`, signing with `keys` for `issuer`; access tokens carry the
    /// resources asked for as `aud` (RFC 8707), `defaultAudience` when none was. Grace-window answers are sealed with
    /// `graceKey` (``GraceSeal/deriveKey(fromSecret:)``; random by default, so a replay then
    /// only works on the replica that rotated).
    package init(
        issuer: String, defaultAudience: String, stores: LedgerStores, keys: KeyRing, revocations: AdminRevocations,
        graceKey: SymmetricKey = SymmetricKey(size: .bits256), delegatedLogins: Bool = false, now: @escaping @Sendable () -> Instant
    ) {
        self.delegatedLogins = delegatedLogins
        self.issuer = issuer
        self.defaultAudience = defaultAudience
        self.stores = stores
        self.keys = keys
        self.now = now
        graceSeal = GraceSeal(serverKey: graceKey)
        self.revocations = revocations
        accessTokens = AccessTokenMinter(issuer: issuer, defaultAudience: defaultAudience, keys: keys, logger: stores.logger)
        idTokens = IDTokenMinter(issuer: issuer, keys: keys, logger: stores.logger)
    }

    /// The authenticated, active client, as registered at the version read. The registration
    /// may be up to a second old (``ClientStore/recent(_:)``): writes it authorizes carry
    /// ``AuthenticatedClient/readSet`` so that a registration changed meanwhile fails them. The
    /// method must be the one the client registered.
    package func authenticate(_ credentials: ClientCredentials) async throws(TokenError) -> AuthenticatedClient {
        let clients = stores.clients
        let found = try await orUnavailable("client lookup") { try await clients.recent(ClientID(credentials.id)) }
        let failure = TokenError.invalidClient("client authentication failed")
        guard let (client, version) = found, client.active, client.registration.tokenEndpointAuthMethod == credentials.method.rawValue
        else { throw failure }
        if let secret = credentials.secret {
            guard let hash = client.registration.secretHash, SecretDigest.matches(secret, hash) else { throw failure }
        }
        return AuthenticatedClient(client: client, version: version, method: credentials.method)
    }

    /// The claims a delegated login's apps supplied for `grant`; nil when its login was not
    /// delegated (or none was supplied). Without a login app configured, nothing is looked up.
    package func delegatedClaims(of grant: GrantID) async throws(TokenError) -> DelegatedClaimsStore.Claims? {
        guard delegatedLogins else { return nil }
        let store = stores.delegatedClaims
        let now = now()
        return try await orUnavailable("delegated claims") { try await store.claims(of: grant, at: now) }
    }

    /// Whether `client` may ask tokens for every resource in `asked` (RFC 8707): its registered
    /// `resources`, the default audience, and the issuer (this service's own endpoints, such as
    /// `/userinfo` and `/revocations`, which check their scope besides).
    package func permits(_ asked: Resources, for client: Client) -> Bool {
        asked.values.allSatisfy { resource in
            resource == defaultAudience || resource == issuer || client.registration.resources?.contains(resource) == true
        }
    }

    /// Resolves a presented token. Only storage failures throw.
    package func resolve(_ token: String, at now: Instant) async throws(TokenError) -> PresentedToken {
        if token.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
            guard let claims = try? await keys.verify(token, as: AccessTokenClaims.self, type: AccessTokenClaims.type), claims.iss == issuer
            else { return .unknown }
            return .access(claims)
        }
        let hash = SecretDigest.hash(token)
        let grants = stores.grants
        guard let found = try await orUnavailable("refresh lookup", { try await grants.refreshToken(hash, at: now) }) else { return .unknown }
        return .refresh(found, hash: hash)
    }

    /// Whether an access token this issuer signed is still good at `now`: unexpired, and
    /// nothing on the deny-list covers it (its jti, grant, session, or its subject or client
    /// since it was issued). A revoked grant is on the deny-list until its last token expired,
    /// so no grant is read: a client credentials token has none to read.
    package func isActive(_ claims: AccessTokenClaims, at now: Instant) async throws(TokenError) -> Bool {
        guard now < Instant(seconds: claims.exp) else { return false }
        let token = DenyList.Token(
            jti: TokenID(claims.jti), grantID: GrantID(claims.grantID), sessionID: claims.sid.map(SessionID.init),
            subject: Subject(claims.sub), clientID: ClientID(claims.clientID), issuedAt: Instant(seconds: claims.iat)
        )
        let denyList = stores.denyList
        return try await !orUnavailable("deny-list", { try await denyList.isRevoked(token, at: now) })
    }

    /// Whether the deny-list revokes a whole grant: the grant or its session, or its subject or
    /// client revoked after the grant started.
    package func isDenied(_ grant: Grant, at now: Instant) async throws(TokenError) -> Bool {
        let token = DenyList.Token(
            grantID: grant.id, sessionID: grant.sessionID, subject: grant.subject, clientID: grant.clientID, issuedAt: grant.startedAt
        )
        let denyList = stores.denyList
        return try await orUnavailable("deny-list") { try await denyList.isRevoked(token, at: now) }
    }

    /// Runs a grant command the caller's registration authorized, counts what it did, and turns
    /// a refusal into ``TokenError/refused(_:)``. Events a refusal carries (a replay's
    /// revocation) are committed before the error. Nil, with nothing written, if the caller's
    /// registration or any stream in `reads` moved since it was read.
    func attempt(
        _ command: GrantCommand, on grant: GrantID, start: AggregateStore<Grant>.Start, caller: AuthenticatedClient,
        context: DecisionContext, metadata: EventMetadata, reads: [StreamID: Int64] = [:], extra: ProjectionDelta = ProjectionDelta()
    ) async throws(TokenError) -> GrantStore.Outcome? {
        let readSet = caller.readSet.merging(reads) { registration, _ in registration }
        let outcome: GrantStore.Outcome
        do {
            outcome = try await stores.grants.execute(
                command, on: grant, context: context, metadata: metadata, extra: extra, readSet: readSet, start: start
            )
        } catch where error.code == .staleRead {
            return nil
        } catch {
            throw unavailable("grant command", error)
        }
        TokenMetrics.record(outcome.decision.events)
        if let refusal = outcome.decision.refusal { throw .refused(refusal) }
        return outcome
    }

    /// ``attempt(_:on:start:caller:context:metadata:reads:)`` where a moved registration fails
    /// the request.
    func execute(
        _ command: GrantCommand, on grant: GrantID, start: AggregateStore<Grant>.Start, caller: AuthenticatedClient,
        context: DecisionContext, metadata: EventMetadata
    ) async throws(TokenError) -> GrantStore.Outcome {
        guard let outcome = try await attempt(command, on: grant, start: start, caller: caller, context: context, metadata: metadata) else {
            throw registrationChanged(caller)
        }
        return outcome
    }

    /// The failure when the caller's registration moved during the request; the cached copy is
    /// dropped so a retry authenticates afresh.
    func registrationChanged(_ caller: AuthenticatedClient) -> TokenError {
        stores.clients.forget(caller.client.id)
        return .registrationChanged
    }

    /// Runs a ledger read or write; any failure becomes ``TokenError/Code/unavailable``.
    func orUnavailable<T>(_ what: String, _ body: () async throws -> T) async throws(TokenError) -> T {
        do {
            return try await body()
        } catch {
            throw unavailable(what, error)
        }
    }

    /// Logs a failed ledger call (`LedgerStoreError` descriptions never carry secrets or bound
    /// values) and answers ``TokenError/Code/unavailable``.
    func unavailable(_ what: String, _ error: any Error) -> TokenError {
        stores.logger.error("ledger call failed", metadata: ["what": "\(what)", "error": "\(error)"])
        return .unavailable("the token service is temporarily unavailable")
    }
}
