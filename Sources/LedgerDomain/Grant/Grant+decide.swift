extension Grant {
    /// The outcome of a grant command.
    public typealias GrantDecision = Decision<GrantEvent, GrantError>

    /// Decides what a command does to a grant (`nil` when the stream does not exist yet).
    /// Pure: the time and policies come from `context`.
    public static func decide(_ command: GrantCommand, _ state: Grant?, _ context: DecisionContext) -> GrantDecision {
        switch command {
        case .startWithCode(let c):
            guard state == nil else { return .refused(GrantError(.alreadyStarted, grant: c.grantID, "grant exists")) }
            guard c.codeChallenge?.isEmpty == false else {
                return .refused(GrantError(.pkceRequired, grant: c.grantID, "a code grant needs a PKCE code_challenge"))
            }
            return .accepted(startWithCode(c, context))
        case .startWithClientCredentials(let c):
            guard state == nil else { return .refused(GrantError(.alreadyStarted, grant: c.grantID, "grant exists")) }
            return .accepted(startWithClientCredentials(c, context))
        case .redeemCode(let c):
            guard let grant = state, let code = grant.code, code.hash == c.codeHash else {
                return .refused(GrantError(.unknown, grant: state?.id, "no such authorization code"))
            }
            return grant.redeem(c, code: code, context)
        case .refresh(let c):
            guard let grant = state, grant.refresh != nil else {
                return .refused(GrantError(.unknown, grant: state?.id, "no such refresh token"))
            }
            return grant.refresh(c, context)
        case .revoke(let reason):
            guard let grant = state else { return .refused(GrantError(.unknown, grant: nil, "no such grant")) }
            guard grant.status != .revoked else { return .accepted([]) }
            return .accepted([grant.revocation(reason, context)])
        case .revokeAccessToken(let jti, let expiresAt, let reason):
            guard let grant = state else { return .refused(GrantError(.unknown, grant: nil, "no such grant")) }
            guard grant.status != .revoked, expiresAt > context.now, grant.revokedAccessTokens?.contains(jti) != true else {
                return .accepted([])
            }
            return .accepted([
                .accessTokenRevoked(AccessTokenRevoked(
                    grantID: grant.id, jti: jti, reason: reason, at: context.now, until: expiresAt
                ))
            ])
        }
    }

    private static func startWithCode(_ c: GrantCommand.StartWithCode, _ context: DecisionContext) -> [GrantEvent] {
        let lifetimes = context.lifetimes
        return [
            .started(GrantStarted(
                grantID: c.grantID, clientID: c.clientID, subject: c.subject, sessionID: c.sessionID, scope: c.scope,
                flow: .authorizationCode, startedAt: context.now,
                refreshAbsoluteExpiresAt: context.now.adding(lifetimes.refreshTokenAbsolute), resources: c.resources
            )),
            .codeIssued(CodeIssued(
                grantID: c.grantID, codeHash: c.codeHash, issuedAt: context.now,
                // I7: a code never lives more than 60 s, even if the lifetimes were raised after init.
                expiresAt: context.now.adding(min(lifetimes.authorizationCode, .seconds(60))), redirectURI: c.redirectURI,
                codeChallenge: c.codeChallenge, nonce: c.nonce, authTime: c.authTime
            )),
        ]
    }

    private static func startWithClientCredentials(
        _ c: GrantCommand.StartWithClientCredentials, _ context: DecisionContext
    ) -> [GrantEvent] {
        [
            .clientCredentialsIssued(ClientCredentialsIssued(
                grantID: c.grantID, clientID: c.clientID, scope: c.scope, issuedAt: context.now,
                expiresAt: context.accessTokenExpiresAt, audience: c.resources
            ))
        ]
    }

    private func redeem(_ c: GrantCommand.RedeemCode, code: Code, _ context: DecisionContext) -> GrantDecision {
        let now = context.now
        if code.redeemedAt != nil {
            var events: [GrantEvent] = [
                .codeReplayed(CodeReplayed(grantID: id, codeHash: c.codeHash, presentedBy: c.clientID, at: now))
            ]
            if status != .revoked { events.append(revocation(.codeReplay, context)) }
            return GrantDecision(events: events, refusal: GrantError(.codeReplayed, grant: id, "code already redeemed"))
        }
        if status == .revoked { return .refused(GrantError(.revoked, grant: id, "grant revoked")) }
        if c.clientID != clientID {
            return .refused(GrantError(.clientMismatch, grant: id, "code issued to another client"))
        }
        if now >= code.expiresAt { return .refused(GrantError(.expired, grant: id, "authorization code expired")) }
        if c.redirectURI != code.redirectURI {
            return .refused(GrantError(.redirectMismatch, grant: id, "redirect_uri does not match the authorization request"))
        }
        // A code recorded without a challenge (before PKCE was required of every client) is
        // never redeemed: RFC 9700 §2.1.1.
        guard code.codeChallenge != nil else {
            return .refused(GrantError(.pkceRequired, grant: id, "the code was issued without a PKCE code_challenge"))
        }
        if c.verifierChallenge != code.codeChallenge {
            return .refused(GrantError(.pkceMismatch, grant: id, "code_verifier does not match the code_challenge"))
        }
        guard let audience = audience(asked: c.requestedResources) else {
            return .refused(GrantError(.targetNotGranted, grant: id, "a requested resource was not granted"))
        }
        var events: [GrantEvent] = [
            .codeRedeemed(CodeRedeemed(grantID: id, codeHash: c.codeHash, redeemedAt: now)),
            .accessTokenIssued(AccessTokenIssued(
                grantID: id, jti: c.accessToken, scope: scope, issuedAt: now,
                expiresAt: context.accessTokenExpiresAt, audience: audience
            )),
        ]
        if let refreshHash = c.refreshTokenHash {
            events.append(.refreshTokenIssued(RefreshTokenIssued(
                grantID: id, tokenHash: refreshHash, generation: 1, issuedAt: now, fingerprint: c.fingerprint
            )))
        }
        if let idToken = c.idToken {
            events.append(.idTokenIssued(IDTokenIssued(
                grantID: id, jti: idToken, issuedAt: now, expiresAt: context.idTokenExpiresAt
            )))
        }
        return .accepted(events)
    }

    private func refresh(_ c: GrantCommand.Refresh, _ context: DecisionContext) -> GrantDecision {
        guard let family = refresh else { return .refused(GrantError(.unknown, grant: id, "no refresh token")) }
        let now = context.now
        if status == .revoked { return .refused(GrantError(.revoked, grant: id, "grant revoked")) }
        if c.clientID != clientID {
            return GrantDecision(
                events: [revocation(.clientMismatch, context)],
                refusal: GrantError(.clientMismatch, grant: id, "refresh token presented by another client")
            )
        }
        guard c.presentedGeneration == family.generation, c.presentedHash == family.currentHash else {
            return spentTokenPresented(c, family: family, context)
        }
        if now >= refreshAbsoluteExpiresAt || now >= family.issuedAt.adding(context.lifetimes.refreshTokenIdle) {
            return .refused(GrantError(.expired, grant: id, "refresh token expired"))
        }
        let accessScope = c.requestedScope ?? scope
        guard scope.contains(accessScope) else {
            return .refused(GrantError(.scopeExceeded, grant: id, "requested scope exceeds the grant"))
        }
        guard let audience = audience(asked: c.requestedResources) else {
            return .refused(GrantError(.targetNotGranted, grant: id, "a requested resource was not granted"))
        }
        var events: [GrantEvent] = []
        if let recorded = family.fingerprint, let presented = c.presentedFingerprint, !CallerFingerprint.same(presented, recorded) {
            let change = GrantEvent.fingerprintChanged(FingerprintChanged(
                grantID: id, generation: family.generation, previous: recorded, presented: presented, policy: context.fingerprintPolicy, at: now
            ))
            let refusal = GrantError(.fingerprintChanged, grant: id, "the refresh came from another client fingerprint")
            switch context.fingerprintPolicy {
            case .record: events.append(change)
            case .revoke: return GrantDecision(events: [change, revocation(.fingerprintChanged, context)], refusal: refusal)
            case .reauthenticate: return GrantDecision(events: [change], refusal: refusal)
            }
        }
        events += [
            .refreshTokenRotated(RefreshTokenRotated(
                grantID: id, fromGeneration: family.generation, toGeneration: family.generation + 1,
                tokenHash: c.successorHash, rotatedAt: now, graceAnswerKept: c.keepsGraceAnswer ? true : nil
            )),
            .accessTokenIssued(AccessTokenIssued(
                grantID: id, jti: c.accessToken, scope: accessScope, issuedAt: now,
                expiresAt: context.accessTokenExpiresAt, audience: audience
            )),
        ]
        if let idToken = c.idToken, scope.contains("openid") {
            events.append(.idTokenIssued(IDTokenIssued(
                grantID: id, jti: idToken, issuedAt: now, expiresAt: context.idTokenExpiresAt
            )))
        }
        return .accepted(events)
    }

    /// A token of an earlier generation: the same successor inside the grace window, else reuse.
    private func spentTokenPresented(
        _ c: GrantCommand.Refresh, family: RefreshFamily, _ context: DecisionContext
    ) -> GrantDecision {
        let now = context.now
        if let rotation = family.lastRotation, rotation.fromGeneration == c.presentedGeneration,
            rotation.graceAnswerKept == true, now < rotation.at.adding(context.lifetimes.refreshGrace)
        {
            return GrantDecision(
                events: [
                    .refreshTokenGraceReplayed(RefreshTokenGraceReplayed(
                        grantID: id, presentedGeneration: c.presentedGeneration, successorGeneration: family.generation,
                        at: now
                    ))
                ],
                replays: true
            )
        }
        return GrantDecision(
            events: [
                .reuseDetected(ReuseDetected(
                    grantID: id, presentedGeneration: c.presentedGeneration, currentGeneration: family.generation,
                    presentedBy: c.clientID, at: now
                )),
                revocation(.reuseDetected, context),
            ],
            refusal: GrantError(.reuseDetected, grant: id, "refresh token generation \(c.presentedGeneration) was already rotated")
        )
    }

    /// The audience of an access token asked for `asked` (RFC 8707 §2.2): the asked resources
    /// when the grant holds them all, the grant's own when none is asked (`.some(nil)`: the
    /// default audience); nil when something was asked for that the grant does not hold.
    private func audience(asked: Resources?) -> Resources?? {
        guard let asked else { return .some(resources) }
        guard let resources, resources.contains(asked) else { return nil }
        return .some(asked)
    }

    private func revocation(_ reason: RevocationReason, _ context: DecisionContext) -> GrantEvent {
        .revoked(GrantRevoked(grantID: id, reason: reason, at: context.now, until: max(tokensExpireBy, context.now)))
    }
}
