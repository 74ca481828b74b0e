/// The claims of one broadcast message, format v2 (docs/broadcast.md): an RFC 8417 Security
/// Event Token that the relay signs as a compact JWS with `typ: secevent+jwt`. A revocation
/// carries ``Events/revoked`` (and, for session and subject scopes, the CAEP
/// `session-revoked` event beside it); a heartbeat carries ``Events/heartbeat``.
///
/// Field names are the wire contract; members a subscriber does not know are ignored.
public struct BroadcastMessage: Hashable, Sendable, Codable {
    /// The issuer, exactly as in the access tokens.
    public var iss: String
    /// Unique per message.
    public var jti: String
    /// When the message was signed, unix seconds: the subscriber's freshness clock.
    public var iat: Int64
    /// A revocation's log sequence number; for a heartbeat, the highest revocation seq published.
    public var seq: Int64
    /// The `seq` of the revocation published just before this one (0 for the first); for a
    /// heartbeat, equal to `seq`. A subscriber whose last applied seq is below it missed one.
    public var prevSeq: Int64
    /// The CAEP subject (RFC 9493 format), present with the `session-revoked` event.
    public var subID: SubjectIdentifier?
    /// What the message announces.
    public var events: Events

    enum CodingKeys: String, CodingKey {
        case iss, jti, iat, seq, prevSeq = "prev_seq", subID = "sub_id", events
    }

    /// Creates a message.
    public init(iss: String, jti: String, iat: Int64, seq: Int64, prevSeq: Int64, subID: SubjectIdentifier? = nil, events: Events) {
        self.iss = iss
        self.jti = jti
        self.iat = iat
        self.seq = seq
        self.prevSeq = prevSeq
        self.subID = subID
        self.events = events
    }

    /// The message announcing `revocation`, logged as event `seq` at `occurredAt` and published
    /// after `prevSeq`.
    public init(
        revocation: Revocation, seq: Int64, prevSeq: Int64, occurredAt: Instant, issuer: String, jti: String, signedAt: Instant
    ) {
        var events = Events(revoked: RevokedEvent(revocation))
        var subject: SubjectIdentifier?
        switch revocation.scope {
        case .session:
            subject = .opaque(revocation.identifier)
        case .subject:
            subject = .issuerSubject(iss: issuer, sub: revocation.identifier)
        case .token, .grant, .client:
            break
        }
        if subject != nil { events.sessionRevoked = CAEPSessionRevoked(revocation, occurredAt: occurredAt) }
        self.init(iss: issuer, jti: jti, iat: signedAt.seconds, seq: seq, prevSeq: prevSeq, subID: subject, events: events)
    }

    /// A heartbeat: every revocation up to `seq` has been published.
    public static func heartbeat(seq: Int64, issuer: String, jti: String, signedAt: Instant) -> BroadcastMessage {
        BroadcastMessage(iss: issuer, jti: jti, iat: signedAt.seconds, seq: seq, prevSeq: seq, events: Events(heartbeat: HeartbeatEvent()))
    }

    /// What kind of message this is, or nil when it carries neither or both of ours.
    public var kind: Kind? {
        switch (events.revoked, events.heartbeat) {
        case (let revoked?, nil): .revoked(revoked)
        case (nil, .some): .heartbeat
        default: nil
        }
    }

    /// The two kinds of message.
    public enum Kind: Hashable, Sendable {
        /// A revocation.
        case revoked(RevokedEvent)
        /// A heartbeat.
        case heartbeat
    }
}

extension BroadcastMessage {
    /// The `events` claim: one member per event type URI.
    public struct Events: Hashable, Sendable, Codable {
        /// `https://tokenledger.dev/secevent/revoked`.
        public var revoked: RevokedEvent?
        /// `https://tokenledger.dev/secevent/heartbeat`.
        public var heartbeat: HeartbeatEvent?
        /// The OpenID CAEP `session-revoked` event, beside ``revoked`` for sessions and subjects.
        public var sessionRevoked: CAEPSessionRevoked?

        enum CodingKeys: String, CodingKey {
            case revoked = "https://tokenledger.dev/secevent/revoked"
            case heartbeat = "https://tokenledger.dev/secevent/heartbeat"
            case sessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked"
        }

        /// Creates an `events` claim.
        public init(revoked: RevokedEvent? = nil, heartbeat: HeartbeatEvent? = nil, sessionRevoked: CAEPSessionRevoked? = nil) {
            self.revoked = revoked
            self.heartbeat = heartbeat
            self.sessionRevoked = sessionRevoked
        }
    }
}

/// The heartbeat event: no members.
public struct HeartbeatEvent: Hashable, Sendable, Codable {
    /// Creates the event.
    public init() {}
}
