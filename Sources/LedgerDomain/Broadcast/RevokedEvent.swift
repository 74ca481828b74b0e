/// The body of `https://tokenledger.dev/secevent/revoked`: which tokens are revoked.
///
/// Only the identifier of the scope is present: `jti` for `token`, `grant_id` for `grant`,
/// `sid` for `session`, `sub` plus `not_before` for `subject`, `client_id` plus `not_before`
/// for `client`. Times are unix seconds, rounded up: a `not_before` rounded down would spare
/// tokens issued in the same second before the revocation.
public struct RevokedEvent: Hashable, Sendable, Codable {
    /// What is revoked.
    public var scope: Revocation.Scope
    public var jti: String?
    public var grantID: String?
    public var sid: String?
    public var sub: String?
    public var clientID: String?
    /// Subject and client scopes: tokens with `iat` before it are revoked.
    public var notBefore: Int64?
    /// Every token the message covers has expired by then.
    public var until: Int64
    /// Why, e.g. `reuse_detected`; informational.
    public var reason: String

    enum CodingKeys: String, CodingKey {
        case scope, jti, grantID = "grant_id", sid, sub, clientID = "client_id", notBefore = "not_before", until, reason
    }

    /// The event announcing `revocation`.
    public init(_ revocation: Revocation) {
        scope = revocation.scope
        until = revocation.until.secondsRoundedUp
        reason = revocation.reason.rawValue
        notBefore = revocation.notBefore?.secondsRoundedUp
        let id = revocation.identifier
        switch revocation.scope {
        case .token: jti = id
        case .grant: grantID = id
        case .session: sid = id
        case .subject: sub = id
        case .client: clientID = id
        }
    }

    /// The identifier of the scope, or nil when the message lacks it (or `not_before` where required).
    public var identifier: String? {
        switch scope {
        case .token: jti
        case .grant: grantID
        case .session: sid
        case .subject: notBefore == nil ? nil : sub
        case .client: notBefore == nil ? nil : clientID
        }
    }
}

extension Instant {
    /// Whole seconds since the Unix epoch, rounded up.
    public var secondsRoundedUp: Int64 {
        let (q, r) = (milliseconds + 999).quotientAndRemainder(dividingBy: 1000)
        return r < 0 ? q - 1 : q
    }
}
