import LedgerDomain

/// What an administrative revocation did, answered as
/// `{"revoked": {"scope": …, <identifier>: …, "reason": …, "not_before": …, "until": …,
/// "grants": […]}, "seq": …}`, where the identifier's member is the scope's claim name (`sub`,
/// `sid`, `grant_id`, `client_id`, `jti`). Times are unix seconds, as in the broadcast.
package struct RevocationResult: Sendable, Hashable, Encodable {
    /// What was revoked.
    package var scope: Revocation.Scope
    /// The identifier.
    package var id: String
    /// Why it was revoked.
    package var reason: RevocationReason
    /// For subject and client scopes: tokens issued before this are revoked.
    package var notBefore: Instant?
    /// When every token the revocation covers has expired; nil when nothing was revoked now.
    package var until: Instant?
    /// Grants revoked by this call (the target's own grant, or the cascade of a wider scope).
    package var grants: [GrantID]
    /// Log sequence number of the revocation event; nil when it was already revoked and
    /// nothing was appended.
    package var seq: Int64?

    private enum Keys: String, CodingKey { case revoked, seq }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: Keys.self)
        var revoked = outer.nestedContainer(keyedBy: Key.self, forKey: .revoked)
        try revoked.encode(scope, forKey: Key("scope"))
        try revoked.encode(id, forKey: Key(scope.identifierClaim))
        try revoked.encode(reason, forKey: Key("reason"))
        try revoked.encodeIfPresent(notBefore?.seconds, forKey: Key("not_before"))
        try revoked.encodeIfPresent(until?.seconds, forKey: Key("until"))
        try revoked.encode(grants.map(\.rawValue), forKey: Key("grants"))
        if let seq { try outer.encode(seq, forKey: .seq) } else { try outer.encodeNil(forKey: .seq) }
    }
}
