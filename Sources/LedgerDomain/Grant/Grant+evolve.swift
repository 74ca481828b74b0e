extension Grant: Aggregate {
    /// Applies one event to the state. Total and deterministic: folding a stream's events from
    /// `nil` rebuilds exactly the live state (I4). Events that do not fit are ignored, so a
    /// rebuild never traps on history.
    public static func evolve(_ state: Grant?, _ event: GrantEvent) -> Grant? {
        if case .started(let e) = event {
            return Grant(
                id: e.grantID, clientID: e.clientID, subject: e.subject, sessionID: e.sessionID, scope: e.scope,
                flow: e.flow, status: e.flow == .authorizationCode ? .awaitingCode : .active, startedAt: e.startedAt,
                refreshAbsoluteExpiresAt: e.refreshAbsoluteExpiresAt, code: nil, refresh: nil,
                tokensExpireBy: e.startedAt, revocationReason: nil, resources: e.resources
            )
        }
        if case .clientCredentialsIssued(let e) = event {
            return Grant(
                id: e.grantID, clientID: e.clientID, subject: Subject(e.clientID.rawValue), sessionID: nil, scope: e.scope,
                flow: .clientCredentials, status: .active, startedAt: e.issuedAt, refreshAbsoluteExpiresAt: e.issuedAt,
                code: nil, refresh: nil, tokensExpireBy: e.expiresAt, revocationReason: nil, resources: e.audience
            )
        }
        guard var grant = state else { return nil }
        switch event {
        case .started, .clientCredentialsIssued:
            break
        case .codeIssued(let e):
            grant.code = Code(
                hash: e.codeHash, expiresAt: e.expiresAt, redirectURI: e.redirectURI, codeChallenge: e.codeChallenge,
                nonce: e.nonce, authTime: e.authTime, redeemedAt: nil
            )
        case .codeRedeemed(let e):
            grant.code?.redeemedAt = e.redeemedAt
            if grant.status == .awaitingCode { grant.status = .active }
        case .codeReplayed, .reuseDetected, .refreshTokenGraceReplayed:
            break
        case .accessTokenIssued(let e):
            grant.tokensExpireBy = max(grant.tokensExpireBy, e.expiresAt)
        case .idTokenIssued(let e):
            grant.tokensExpireBy = max(grant.tokensExpireBy, e.expiresAt)
        case .refreshTokenIssued(let e):
            grant.refresh = RefreshFamily(
                generation: e.generation, currentHash: e.tokenHash, issuedAt: e.issuedAt, lastRotation: nil, fingerprint: e.fingerprint
            )
        case .refreshTokenRotated(let e):
            grant.refresh = RefreshFamily(
                generation: e.toGeneration, currentHash: e.tokenHash, issuedAt: e.rotatedAt,
                lastRotation: Rotation(fromGeneration: e.fromGeneration, at: e.rotatedAt, graceAnswerKept: e.graceAnswerKept),
                fingerprint: grant.refresh?.fingerprint
            )
        case .fingerprintChanged(let e):
            // Only `record` moves the family to the new holder; the other policies refuse it.
            if e.policy == .record { grant.refresh?.fingerprint = e.presented }
        case .accessTokenRevoked(let e):
            var revoked = grant.revokedAccessTokens ?? []
            if !revoked.contains(e.jti) { revoked.append(e.jti) }
            grant.revokedAccessTokens = revoked.sorted()
        case .revoked(let e):
            grant.status = .revoked
            grant.revocationReason = e.reason
        }
        return grant
    }
}
