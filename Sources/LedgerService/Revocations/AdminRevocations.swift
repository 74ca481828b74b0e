import LedgerDomain
import LedgerPostgres

/// Administrative revocations (docs/http-api.md): each goes through its aggregate's `decide`/`evolve`
/// and is committed before the call returns (I1). A subject or client revocation is one event
/// and one broadcast message whatever the number of grants: its `not_before` watermark, kept on
/// the deny-list until every token it covers (refresh tokens included) has expired, is what
/// refresh, introspection and the kits check. A session revocation cascades to the session's
/// grants, a bounded set.
package struct AdminRevocations: Sendable {
    private let clients: ClientStore
    private let grants: GrantStore
    private let subjects: AggregateStore<SubjectRevocations>
    private let sessions: SessionStore
    private let lifecycle: SessionLifecycle
    private let lookup: GrantLookup
    private let now: @Sendable () -> Instant

    /// Longest token lifetime assumed when no client is registered.
    static let fallbackTokenLifetime: Duration = .seconds(3600)

    /// Creates the service over the process's stores; session cascades go through `lifecycle`.
    package init(stores: LedgerStores, lifecycle: SessionLifecycle, now: @escaping @Sendable () -> Instant) {
        clients = stores.clients
        grants = stores.grants
        subjects = stores.subjects
        sessions = stores.sessions
        self.lifecycle = lifecycle
        lookup = stores.lookup
        self.now = now
    }

    /// Revokes `target`; `notFound` when a grant, session, client or jti is unknown.
    package func revoke(_ target: RevocationTarget, reason: RevocationReason, by metadata: EventMetadata) async throws(RevocationError) -> RevocationResult {
        do {
            switch target {
            case .subject(let sub): return try await revokeSubject(sub, reason, metadata)
            case .session(let sid): return try await revokeSession(sid, reason, metadata)
            case .grant(let id): return try await revokeGrant(id, reason, metadata)
            case .client(let id): return try await revokeClient(id, reason, metadata)
            case .accessToken(let jti, let expiresAt): return try await revokeAccessToken(jti, expiresAt, reason, metadata)
            }
        } catch let error as RevocationError {
            throw error
        } catch let error as LedgerStoreError {
            throw .unavailable(error)
        } catch {
            throw .unavailable("revocation failed")
        }
    }

    private func revokeSubject(_ sub: Subject, _ reason: RevocationReason, _ metadata: EventMetadata) async throws -> RevocationResult {
        let context = DecisionContext(now: now())
        let expireBy = context.now.adding(try await longestTokenLifetime(includingRefresh: true))
        let outcome = try await subjects.execute(
            .revokeTokens(sub, reason: reason, tokensExpireBy: expireBy), on: .subject(sub), context: context, metadata: metadata
        )
        return RevocationResult(
            scope: .subject, id: sub.rawValue, reason: reason, notBefore: context.now, until: outcome.after?.until,
            grants: [], seq: outcome.receipt?.firstSeq
        )
    }

    private func revokeSession(_ sid: SessionID, _ reason: RevocationReason, _ metadata: EventMetadata) async throws -> RevocationResult {
        var subject = try await sessions.load(sid)?.subject
        if subject == nil { subject = try await lookup.subject(ofSession: sid) }
        guard let subject else {
            throw RevocationError.notFound("no session with this sid")
        }
        let expireBy = now().adding(try await longestTokenLifetime(includingRefresh: false))
        let (outcome, revoked) = try await lifecycle.revoke(sid, subject: subject, reason: reason, tokensExpireBy: expireBy, metadata: metadata)
        let until: Instant? = if case .revoked(let e)? = outcome.decision.events.first { e.until } else { nil }
        return RevocationResult(
            scope: .session, id: sid.rawValue, reason: reason, until: until, grants: revoked,
            seq: outcome.receipt?.firstSeq
        )
    }

    private func revokeGrant(_ id: GrantID, _ reason: RevocationReason, _ metadata: EventMetadata) async throws -> RevocationResult {
        let context = DecisionContext(now: now())
        let outcome = try await grants.execute(.revoke(reason: reason), on: id, context: context, metadata: metadata)
        guard outcome.before != nil else { throw RevocationError.notFound("no grant with this grant_id") }
        let until: Instant? = if case .revoked(let e)? = outcome.decision.events.first { e.until } else { nil }
        return RevocationResult(
            scope: .grant, id: id.rawValue, reason: reason, until: until,
            grants: outcome.receipt == nil ? [] : [id], seq: outcome.receipt?.firstSeq
        )
    }

    private func revokeClient(_ id: ClientID, _ reason: RevocationReason, _ metadata: EventMetadata) async throws -> RevocationResult {
        guard let client = try await clients.load(id) else { throw RevocationError.notFound("no client with this client_id") }
        let context = DecisionContext(now: now(), lifetimes: client.registration.lifetimes)
        let outcome = try await clients.execute(
            .revokeTokens(reason: reason, tokensExpireBy: context.now.adding(context.lifetimes.longestToken)), on: id, context: context,
            metadata: metadata
        )
        let until: Instant? = if case .revoked(let e)? = outcome.decision.events.first { e.until } else { nil }
        return RevocationResult(
            scope: .client, id: id.rawValue, reason: reason, notBefore: context.now, until: until,
            grants: [], seq: outcome.receipt?.firstSeq
        )
    }

    private func revokeAccessToken(
        _ jti: TokenID, _ expiresAt: Instant?, _ reason: RevocationReason, _ metadata: EventMetadata
    ) async throws -> RevocationResult {
        guard let issued = try await lookup.accessToken(jti) else { throw RevocationError.notFound("no access token with this jti") }
        let context = DecisionContext(now: now())
        let outcome = try await grants.execute(
            .revokeAccessToken(jti: jti, expiresAt: expiresAt ?? issued.expiresAt, reason: reason), on: issued.grant,
            context: context, metadata: metadata
        )
        let until: Instant? = if case .accessTokenRevoked(let e)? = outcome.decision.events.first { e.until } else { nil }
        return RevocationResult(
            scope: .token, id: jti.rawValue, reason: reason, until: until, grants: [], seq: outcome.receipt?.firstSeq
        )
    }

    /// The longest access or ID token lifetime of any client, with `includingRefresh` also the
    /// longest refresh-token life (the fallback when there is no client).
    private func longestTokenLifetime(includingRefresh: Bool) async throws -> Duration {
        let lifetimes = try await clients.all().map {
            includingRefresh ? $0.registration.lifetimes.longestToken : max($0.registration.lifetimes.accessToken, $0.registration.lifetimes.idToken)
        }
        return lifetimes.max() ?? Self.fallbackTokenLifetime
    }
}
