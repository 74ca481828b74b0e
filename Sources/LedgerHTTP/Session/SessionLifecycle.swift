import LedgerDomain
import LedgerPostgres
import Logging
import PostgresNIO
import LedgerService

/// Starting, ending and revoking OP sessions. Ending or revoking a session also revokes every
/// grant it holds (`grant.revoked` per grant, after the `session.revoked` that deny-lists its
/// `sid`), and starting one past the per-subject limit revokes the oldest. Every step is an
/// event committed before the call returns (I1).
package struct SessionLifecycle: Sendable {
    private let sessions: SessionStore
    private let lookup: GrantLookup
    private let sweep: GrantSweep
    private let limit: SessionLimit
    private let now: @Sendable () -> Instant

    /// Creates the lifecycle over a running database client and event writer.
    package init(
        database: PostgresClient, writer: EventWriter, logger: Logger, limit: SessionLimit,
        now: @escaping @Sendable () -> Instant = Instant.current
    ) {
        sessions = SessionStore(client: database, writer: writer, logger: logger)
        lookup = GrantLookup(client: database, logger: logger)
        sweep = GrantSweep(grants: GrantStore(client: database, writer: writer, logger: logger))
        self.limit = limit
        self.now = now
    }

    /// Creates the lifecycle from the HTTP services.
    package init(_ services: LedgerServices) {
        self.init(
            database: services.database, writer: services.writer, logger: services.logger, limit: services.sessionLimit,
            now: services.now
        )
    }

    /// Starts a new session for `subject`, who just signed in with a password (`metadata`
    /// carries the hashed IP and user agent), then applies the session limit.
    package func start(subject: Subject, metadata: EventMetadata) async throws(LedgerStoreError) -> Session {
        let sid = SessionCookie.newSessionID()
        let outcome = try await sessions.execute(.start(sid, subject: subject), on: sid, context: DecisionContext(now: now()), metadata: metadata)
        guard outcome.decision.refusal == nil, let session = outcome.after else {
            throw LedgerStoreError(.contention, "session id collision")
        }
        try await enforceLimit(subject: subject, metadata: metadata)
        return session
    }

    /// Ends a session (RP-initiated logout): `session.ended`, `session.revoked` and the
    /// revocation of its grants, all with `reason`. Returns the grants revoked now.
    @discardableResult
    package func end(_ sid: SessionID, reason: RevocationReason, metadata: EventMetadata) async throws(LedgerStoreError) -> [GrantID] {
        let context = DecisionContext(now: now())
        let expireBy = try await lookup.tokensExpireBy(ofSession: sid) ?? context.now
        _ = try await sessions.execute(.end(reason: reason, tokensExpireBy: expireBy), on: sid, context: context, metadata: metadata)
        return try await revokeGrants(of: sid, reason: reason, context: context, metadata: metadata)
    }

    /// Revokes every token of a session and its grants. `tokensExpireBy` bounds the session's
    /// tokens; nil takes the latest expiry its grants record. Returns the session outcome and
    /// the grants revoked now.
    package func revoke(
        _ sid: SessionID, subject: Subject, reason: RevocationReason, tokensExpireBy: Instant?, metadata: EventMetadata
    ) async throws(LedgerStoreError) -> (outcome: SessionStore.Outcome, grants: [GrantID]) {
        let context = DecisionContext(now: now())
        let expireBy: Instant
        if let tokensExpireBy { expireBy = tokensExpireBy } else { expireBy = try await lookup.tokensExpireBy(ofSession: sid) ?? context.now }
        let outcome = try await sessions.execute(
            .revoke(sid, subject: subject, reason: reason, tokensExpireBy: expireBy), on: sid, context: context, metadata: metadata
        )
        return (outcome, try await revokeGrants(of: sid, reason: reason, context: context, metadata: metadata))
    }

    /// Revokes the subject's oldest active sessions beyond the limit (reason `session_limit`).
    /// Run after a session started, so concurrent logins on several replicas converge: each
    /// sees every committed session and evicts the same oldest ones.
    private func enforceLimit(subject: Subject, metadata: EventMetadata) async throws(LedgerStoreError) {
        guard limit.maxPerSubject != nil else { return }
        for victim in limit.evictions(among: try await sessions.active(ofSubject: subject)) {
            _ = try await revoke(victim, subject: subject, reason: .sessionLimit, tokensExpireBy: nil, metadata: metadata)
        }
    }

    private func revokeGrants(
        of sid: SessionID, reason: RevocationReason, context: DecisionContext, metadata: EventMetadata
    ) async throws(LedgerStoreError) -> [GrantID] {
        try await sweep.revoke(try await lookup.unrevokedGrants(ofSession: sid), reason: reason, context: context, metadata: metadata)
    }
}
