import LedgerDomain

/// Pure mapping from events and folded state to projection rows. The live write path and
/// `rebuild` both use it, which is what makes a rebuild equal to the live state (I4).
package enum Projector {
    /// The `grants` row for a grant's state at a stream version.
    package static func row(for grant: Grant, version: Int64) -> ProjectionDelta.GrantRow {
        ProjectionDelta.GrantRow(
            grantID: grant.id.rawValue, clientID: grant.clientID.rawValue, subject: grant.subject.rawValue,
            sessionID: grant.sessionID?.rawValue, status: grant.status.rawValue, flow: grant.flow.rawValue,
            version: version, state: grant, retainUntilMilliseconds: grant.retainedUntil.milliseconds
        )
    }

    /// The `aggregates` row for any other aggregate's state at a stream version, kept until
    /// `retainUntil` (nil: as long as the aggregate exists).
    package static func aggregateRow(
        for state: some Encodable, stream: StreamID, version: Int64, retainUntil: Instant?
    ) throws(LedgerStoreError) -> ProjectionDelta.AggregateRow {
        ProjectionDelta.AggregateRow(
            streamID: stream.description, kind: stream.kind, version: version, state: try JSONFragment(encoding: state),
            retainUntilMilliseconds: retainUntil?.milliseconds
        )
    }

    /// The index and deny-list rows one event adds, whatever its stream.
    package static func rows(for event: LedgerEvent) -> ProjectionDelta {
        var delta = ProjectionDelta()
        if let revocation = Revocation(event) { delta.put(denyRow(revocation)) }
        switch event {
        case .grant(.codeIssued(let e)):
            delta.add(ProjectionDelta.CodeRow(
                codeHash: e.codeHash.hex, grantID: e.grantID.rawValue, expiresMilliseconds: e.expiresAt.milliseconds
            ))
        case .grant(.refreshTokenIssued(let e)):
            delta.add(ProjectionDelta.RefreshTokenRow(tokenHash: e.tokenHash.hex, grantID: e.grantID.rawValue, generation: e.generation))
        case .grant(.refreshTokenRotated(let e)):
            delta.add(ProjectionDelta.RefreshTokenRow(tokenHash: e.tokenHash.hex, grantID: e.grantID.rawValue, generation: e.toGeneration))
        case .grant, .session, .client, .subject, .signingKey, .login, .consent:
            break
        }
        return delta
    }

    /// Everything appending `events` to a grant changes, given the state after them: its
    /// `grants` row unless it lives in the log only (``Grant/isLogOnly``).
    package static func delta(for grant: Grant, version: Int64, events: [GrantEvent]) -> ProjectionDelta {
        var delta = ProjectionDelta()
        for event in events { delta.merge(rows(for: .grant(event))) }
        if !grant.isLogOnly { delta.put(row(for: grant, version: version)) }
        return delta
    }

    /// The `denylist` row of a revocation.
    private static func denyRow(_ revocation: Revocation) -> ProjectionDelta.DenyRow {
        ProjectionDelta.DenyRow(
            scope: revocation.scope.rawValue, key: revocation.identifier, notBeforeMilliseconds: revocation.notBefore?.milliseconds,
            untilMilliseconds: revocation.until.milliseconds, reason: revocation.reason.rawValue
        )
    }
}
