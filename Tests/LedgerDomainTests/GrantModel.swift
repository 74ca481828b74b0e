import LedgerDomain

/// One step of a random workload against a single code-flow grant.
enum WorkloadStep: CustomStringConvertible {
    /// Present the refresh token of `generation` (as the client holds it).
    case refresh(generation: Int, by: ClientID, scope: Scope?, sealed: Bool)
    /// Revoke the whole grant.
    case revoke
    /// Revoke one issued access token.
    case revokeAccessToken(TokenID, expiresAt: Instant)
    /// Let time pass.
    case advance(to: Instant)

    var description: String {
        switch self {
        case .refresh(let g, let by, let scope, let sealed):
            "refresh(gen \(g), by \(by), scope \(scope.map { "'\($0)'" } ?? "nil"), sealed \(sealed))"
        case .revoke: "revoke"
        case .revokeAccessToken(let jti, let exp): "revokeAccessToken(\(jti), exp \(exp.milliseconds))"
        case .advance(let t): "advance(to \(t.milliseconds))"
        }
    }
}

/// The observable kind of a decision: refusal code plus the shape of its events.
enum Outcome: Hashable {
    case rotated, graceReplayed, reuse, clientMismatch, expired, scopeExceeded, refusedRevoked
    case revoked, accessTokenRevoked, nothing
    case unexpected(String)

    init(_ decision: Grant.GrantDecision) {
        let kinds = decision.events.map(\.typeName).map { $0.split(separator: ".").dropFirst().joined(separator: ".") }
        switch (decision.refusal?.code.description ?? "accepted", kinds) {
        case ("accepted", ["refresh_token.rotated", "access_token.issued"]): self = .rotated
        case ("accepted", ["refresh_token.grace_replayed"]): self = .graceReplayed
        case ("reuse_detected", ["refresh_token.reuse_detected", "revoked"]): self = .reuse
        case ("client_mismatch", ["revoked"]): self = .clientMismatch
        case ("expired", []): self = .expired
        case ("scope_exceeded", []): self = .scopeExceeded
        case ("revoked", []): self = .refusedRevoked
        case ("accepted", ["revoked"]): self = .revoked
        case ("accepted", ["access_token.revoked"]): self = .accessTokenRevoked
        case ("accepted", []): self = .nothing
        default: self = .unexpected("refusal \(decision.refusal?.code.description ?? "nil"), events \(kinds)")
        }
    }
}

/// What the rules of docs/design.md (grants and lifetimes) and I3 say should happen, tracked independently of `Grant`.
struct GrantModel {
    let owner: ClientID
    let scope: Scope
    let lifetimes: Lifetimes
    let absoluteExpiry: Instant
    /// The generation the owner holds last.
    var generation = 1
    var issuedAt: Instant
    var lastRotation: (from: Int, at: Instant, sealed: Bool)?
    var revoked = false
    /// Access tokens revoked one by one.
    var revokedTokens: Set<TokenID> = []

    /// The outcome those rules expect for `step` at `now`.
    func predict(_ step: WorkloadStep, at now: Instant) -> Outcome {
        switch step {
        case .advance:
            return .nothing
        case .revoke:
            return revoked ? .nothing : .revoked
        case .revokeAccessToken(let jti, let expiresAt):
            return revoked || expiresAt <= now || revokedTokens.contains(jti) ? .nothing : .accessTokenRevoked
        case .refresh(let g, let by, let requested, _):
            if revoked { return .refusedRevoked }
            if by != owner { return .clientMismatch }
            if g != generation {
                if let last = lastRotation, last.from == g, last.sealed, now < last.at.adding(lifetimes.refreshGrace) {
                    return .graceReplayed
                }
                return .reuse
            }
            if now >= absoluteExpiry || now >= issuedAt.adding(lifetimes.refreshTokenIdle) { return .expired }
            if let requested, !Set(scope.values).isSuperset(of: requested.values) { return .scopeExceeded }
            return .rotated
        }
    }

    /// Moves the model past `step`, which had `outcome`, at `now`.
    mutating func record(_ step: WorkloadStep, _ outcome: Outcome, at now: Instant) {
        switch outcome {
        case .rotated:
            if case .refresh(_, _, _, let sealed) = step { lastRotation = (generation, now, sealed) }
            generation += 1
            issuedAt = now
        case .reuse, .clientMismatch, .revoked:
            revoked = true
        case .accessTokenRevoked:
            if case .revokeAccessToken(let jti, _) = step { revokedTokens.insert(jti) }
        default:
            break
        }
    }
}
