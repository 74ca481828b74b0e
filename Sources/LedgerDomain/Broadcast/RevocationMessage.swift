/// One message of the revocation broadcast (§5.3): a revocation taken from the log, or a
/// heartbeat. The relay publishes it as JSON on the Redis channel, the catch-up feed lists it,
/// and the resource-server kit decodes it. Field names are the wire contract.
///
/// Only the identifiers of the message's scope are present: `jti` for `token`, `grant_id` for
/// `grant`, `sid` for `session`, `sub` plus `not_before` for `subject`, `client_id` plus
/// `not_before` for `client`.
public struct RevocationMessage: Hashable, Sendable, Codable {
    /// What a message announces.
    public enum Kind: String, Hashable, Sendable, Codable {
        case revoked
        case heartbeat
    }

    /// The set of tokens a revocation covers.
    public enum Scope: String, Hashable, Sendable, Codable, CaseIterable {
        case token, grant, session, subject, client
    }

    /// Wire format version, always 1.
    public var v: Int
    /// `revoked` or `heartbeat`.
    public var type: Kind
    /// The log sequence number of the revocation event; for a heartbeat, the highest seq published.
    public var seq: Int64
    public var scope: Scope?
    public var jti: String?
    public var grantID: String?
    public var sid: String?
    public var sub: String?
    public var clientID: String?
    /// Unix seconds: tokens of the subject/client with `iat` before it are revoked.
    public var notBefore: Int64?
    /// Unix seconds: every token the message covers has expired by then.
    public var until: Int64?
    public var reason: String?
    /// Unix milliseconds: when the event was recorded (revocation) or the heartbeat sent.
    public var at: Int64

    enum CodingKeys: String, CodingKey {
        case v, type, seq, scope, jti, grantID = "grant_id", sid, sub, clientID = "client_id"
        case notBefore = "not_before", until, reason, at
    }

    /// A heartbeat carrying the highest sequence number published so far.
    public static func heartbeat(seq: Int64, at: Instant) -> RevocationMessage {
        RevocationMessage(v: 1, type: .heartbeat, seq: seq, at: at.milliseconds)
    }

    /// The revocation message for a logged event, or nil when the event revokes nothing.
    ///
    /// Reuse detection and code replay revoke through a `grant.revoked` event, so they are
    /// covered here with their reason. Times round up to whole seconds: a `not_before` that
    /// rounded down would spare tokens issued in the same second before the revocation.
    public init?(event: LedgerEvent, seq: Int64, occurredAt: Instant) {
        self.init(v: 1, type: .revoked, seq: seq, at: occurredAt.milliseconds)
        switch event {
        case .grant(.accessTokenRevoked(let e)):
            scope = .token
            jti = e.jti.rawValue
            (until, reason) = (e.until.secondsRoundedUp, e.reason.rawValue)
        case .grant(.revoked(let e)):
            scope = .grant
            grantID = e.grantID.rawValue
            (until, reason) = (e.until.secondsRoundedUp, e.reason.rawValue)
        case .session(.revoked(let e)):
            scope = .session
            sid = e.sessionID.rawValue
            (until, reason) = (e.until.secondsRoundedUp, e.reason.rawValue)
        case .subject(.revoked(let e)):
            scope = .subject
            sub = e.subject.rawValue
            notBefore = e.notBefore.secondsRoundedUp
            (until, reason) = (e.until.secondsRoundedUp, e.reason.rawValue)
        case .client(.revoked(let e)):
            scope = .client
            clientID = e.clientID.rawValue
            notBefore = e.notBefore.secondsRoundedUp
            (until, reason) = (e.until.secondsRoundedUp, e.reason.rawValue)
        case .grant, .session, .client, .signingKey:
            return nil
        }
    }

    private init(v: Int, type: Kind, seq: Int64, at: Int64) {
        self.v = v
        self.type = type
        self.seq = seq
        self.at = at
    }
}

extension Instant {
    /// Whole seconds since the Unix epoch, rounded up.
    var secondsRoundedUp: Int64 {
        (milliseconds + 999).quotientRoundingDown(by: 1000)
    }
}

extension Int64 {
    fileprivate func quotientRoundingDown(by divisor: Int64) -> Int64 {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? q - 1 : q
    }
}
