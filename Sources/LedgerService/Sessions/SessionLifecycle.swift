import LedgerDomain
import LedgerPostgres

/// Starting, ending and revoking OP sessions. Ending or revoking a session also revokes every
/// grant it holds (`grant.revoked` per grant, after the `session.revoked` that deny-lists its
/// `sid`), and starting one past the per-subject limit revokes the oldest. Every step is an
/// event committed before the call returns (I1).
package struct SessionLifecycle: Sendable {
    private let sessions: SessionStore
    private let denyList: DenyList
    private let lookup: GrantLookup
    private let sweep: GrantSweep
    private let limit: SessionLimit
    /// The idle and absolute lifetimes of OP sessions.
    package let lifetimes: SessionLifetimes
    private let now: @Sendable () -> Instant

    /// Creates the lifecycle over the process's stores, evicting beyond `limit` and ending
    /// sessions past their `lifetimes`.
    package init(stores: LedgerStores, limit: SessionLimit, lifetimes: SessionLifetimes = .standard, now: @escaping @Sendable () -> Instant) {
        sessions = stores.sessions
        denyList = stores.denyList
        lookup = stores.lookup
        sweep = GrantSweep(grants: stores.grants)
        self.limit = limit
        self.lifetimes = lifetimes
        self.now = now
    }

    /// A session by id, in whatever state it is.
    package func session(_ sid: SessionID) async throws(LedgerStoreError) -> Session? {
        try await sessions.load(sid)
    }

    /// The session `sid` when it may sign a request in without a login (OIDC Core §3.1.2.1):
    /// active (not logged out or revoked), within its idle and absolute lifetimes, with a login
    /// time no older than `maxAge` seconds, and no deny-list entry covering it (its `sid`, or
    /// its subject revoked since the login). A session found past a lifetime is ended here:
    /// `session.ended` and `session.revoked` with the reason, and its grants revoked.
    package func reusable(_ sid: SessionID, maxAge: Int?, at now: Instant) async throws(LedgerStoreError) -> Session? {
        guard let session = try await sessions.load(sid), session.isActive, let authTime = session.authTime else { return nil }
        let lastActivity = try await lookup.latestGrantStart(ofSession: sid) ?? authTime
        if let expired = lifetimes.expiry(of: session, lastActivity: lastActivity, at: now) {
            try await end(sid, reason: expired, metadata: .system)
            return nil
        }
        if let maxAge, now.milliseconds - authTime.milliseconds > Int64(maxAge) * 1000 { return nil }
        let covered = DenyList.Token(grantID: nil, sessionID: sid, subject: session.subject, clientID: nil, issuedAt: authTime)
        guard try await !denyList.isRevoked(covered, at: now) else { return nil }
        return session
    }

    /// Starts a new session for `subject`, who just signed in with a password (`metadata`
    /// carries the hashed IP and user agent), then applies the session limit.
    package func start(subject: Subject, metadata: EventMetadata) async throws(LedgerStoreError) -> Session {
        let sid = SessionID(SecretDigest.mint())
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
