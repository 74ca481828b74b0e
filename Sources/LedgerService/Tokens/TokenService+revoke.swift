import LedgerDomain
import LedgerPostgres

extension TokenService {
    /// Revocation by the token's holder (RFC 7009): a refresh token revokes its whole grant; an
    /// access token is deny-listed until it expires. Unknown, invalid or another client's
    /// tokens change nothing and are not reported (RFC 7009 §2.2). Returns after the
    /// revocation is committed (I1).
    package func revoke(_ token: String, by client: Client, metadata: EventMetadata) async throws(TokenError) {
        switch try await resolve(token, at: now()) {
        case .refresh(let found, _) where found.grant.clientID == client.id:
            let start = AggregateStore<Grant>.Start.loaded(found.grant, version: found.version)
            try await revoke(.revoke(reason: .holderRequest), on: found.grant.id, start: start, metadata: metadata)
        case .access(let claims) where claims.clientID == client.id.rawValue:
            let command = GrantCommand.revokeAccessToken(jti: TokenID(claims.jti), expiresAt: Instant(seconds: claims.exp), reason: .holderRequest)
            try await revoke(command, on: GrantID(claims.grantID), start: .load, metadata: metadata)
        case .refresh, .access, .unknown:
            break
        }
    }

    private func revoke(
        _ command: GrantCommand, on grant: GrantID, start: AggregateStore<Grant>.Start, metadata: EventMetadata
    ) async throws(TokenError) {
        let context = DecisionContext(now: now())
        let grants = stores.grants
        let outcome = try await orUnavailable("revocation") {
            try await grants.execute(command, on: grant, context: context, metadata: metadata, start: start)
        }
        TokenMetrics.record(outcome.decision.events)
    }
}
