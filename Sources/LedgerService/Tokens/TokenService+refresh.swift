import Foundation
import LedgerDomain
import LedgerPostgres

extension TokenService {
    /// `refresh_token` (RFC 6749 §6) with rotation on every use (I3), in one call: take the
    /// remembered grant or read it, decide, append, remember the successor, and retry once if a
    /// stream the decision read moved. Exactly one concurrent use wins; a rotated token
    /// presented again revokes the grant, except inside the client's grace window, where the
    /// decision reports a replay and the caller gets the very bytes the winner got.
    ///
    /// A token this process issued in its last rotation of the family is rotated without a
    /// read (``GrantStore/rotatedRefreshToken(_:)``): the append expects the grant's version
    /// and carries the subject and session versions as its read set, so it commits only if
    /// nothing that could revoke or rotate the grant happened since. Otherwise it writes
    /// nothing, and the rotation is decided once more from the database.
    ///
    /// `resources` narrows the access token's audience within the grant's (RFC 8707 §2.2).
    package func refresh(
        _ presented: String, scope requested: Scope?, resources: Resources? = nil, caller: AuthenticatedClient, metadata: EventMetadata
    ) async throws(TokenError) -> IssuedTokens {
        let presentedHash = SecretDigest.hash(presented)
        let grants = stores.grants
        var remembered = grants.rotatedRefreshToken(presentedHash)
        // Two passes: if something the decision read moved, nothing was written, and the token
        // is read again (a remembered entry may be outdated; a read's subject or session may
        // have moved before its append). The caller's registration moving fails every pass.
        for _ in 0..<2 {
            let found: GrantStore.RefreshTokenGrant
            if let entry = remembered {
                found = entry
                remembered = nil
            } else {
                let now = self.now()
                guard let read = try await orUnavailable("refresh lookup", { try await grants.refreshToken(presentedHash, at: now) }) else {
                    throw .refused(GrantError(.unknown, grant: nil, "no such refresh token"))
                }
                found = read
            }
            let rotation = RefreshRotation(
                presented: presented, presentedHash: presentedHash, requested: requested, resources: resources, found: found
            )
            if let issued = try await rotate(rotation, caller: caller, metadata: metadata) { return issued }
        }
        throw registrationChanged(caller)
    }

    /// One presentation of a refresh token, decided on the grant as `found`.
    private struct RefreshRotation {
        var presented: String
        var presentedHash: TokenHash
        var requested: Scope?
        var resources: Resources?
        var found: GrantStore.RefreshTokenGrant
    }

    /// One rotation; nil, with nothing written, if a stream it read moved.
    private func rotate(_ rotation: RefreshRotation, caller: AuthenticatedClient, metadata: EventMetadata) async throws(TokenError) -> IssuedTokens? {
        let found = rotation.found
        let grant = found.grant
        if found.denied { throw .refused(GrantError(.revoked, grant: grant.id, "deny-listed")) }
        let context = DecisionContext(
            now: now(), lifetimes: caller.client.registration.lifetimes, fingerprintPolicy: caller.client.registration.fingerprintPolicy ?? .record
        )
        let access = try await accessTokens.mint(
            grant: grant.id, subject: grant.subject, client: grant.clientID, session: grant.sessionID,
            scope: rotation.requested ?? grant.scope, resources: rotation.resources ?? grant.resources, context: context
        )
        // OIDC Core §12.2: a new ID token with the login's sub, sid and auth_time, no nonce.
        let idToken = grant.scope.contains("openid") && access.scope.contains("openid")
            ? try await idTokens.mint(
                for: grant, client: caller.client, accessToken: access.token, nonce: nil, claims: try await delegatedClaims(of: grant.id),
                context: context
            ) : nil
        let successor = SecretDigest.mint()
        let successorHash = SecretDigest.hash(successor)
        let issued = IssuedTokens(access: access, refreshToken: successor, idToken: idToken?.token)
        // The answer kept for the grace window goes beside the events, never into them.
        var extra = ProjectionDelta()
        if context.lifetimes.refreshGrace > .zero, let sealed = graceSeal.seal(issued.body, presented: rotation.presented, grant: grant.id) {
            extra.add(ProjectionDelta.RefreshGraceRow(
                grant: grant.id, fromGeneration: found.generation, sealed: sealed, expiresAt: context.now.adding(context.lifetimes.refreshGrace)
            ))
        }
        let command = GrantCommand.Refresh(
            presentedHash: rotation.presentedHash, presentedGeneration: found.generation, clientID: caller.client.id,
            requestedScope: rotation.requested, successorHash: successorHash, accessToken: access.jti, keepsGraceAnswer: !extra.isEmpty,
            idToken: idToken?.jti, presentedFingerprint: metadata.fingerprint, requestedResources: rotation.resources
        )
        let attempted: GrantStore.Outcome?
        do {
            attempted = try await attempt(
                .refresh(command), on: grant.id, start: .loaded(grant, version: found.version), caller: caller, context: context,
                metadata: metadata, reads: found.reads, extra: extra
            )
        } catch let error where error.refusal?.code == .reuseDetected && caller.client.registration.reuseRevokesSubject {
            try await revokeSubject(of: grant, metadata: metadata)
            throw error
        }
        guard let outcome = attempted else { return nil }
        if outcome.decision.replays {
            let grants = stores.grants
            let kept = try await orUnavailable("grace answer") {
                try await grants.graceAnswer(of: grant.id, fromGeneration: found.generation, at: context.now)
            }
            guard let kept, let body = graceSeal.open(kept, presented: rotation.presented, grant: grant.id) else {
                throw .refused(GrantError(.reuseDetected, grant: grant.id, "sealed response unavailable"))
            }
            return IssuedTokens(replayed: body)
        }
        stores.grants.remember(successor: successorHash, of: found, after: outcome)
        TokenMetrics.issued(grantType: "refresh_token")
        return issued
    }

    /// `reuse_policy: subject`: the reuse revoked its grant; now every grant and OP session of
    /// the subject goes too, with one subject revocation (broadcast like any other).
    private func revokeSubject(of grant: Grant, metadata: EventMetadata) async throws(TokenError) {
        do {
            _ = try await revocations.revoke(.subject(grant.subject), reason: .reuseDetected, by: metadata)
        } catch {
            throw .unavailable("the reuse was recorded, but the subject could not be revoked")
        }
    }
}
