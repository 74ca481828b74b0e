/// What one logged event revokes: the scope, the identifier of that scope, and the times that
/// bound it. The one place that knows which events are revocations; the broadcast, the feed
/// and the kits derive everything from it.
///
/// Reuse detection and code replay revoke through a `grant.revoked` event, so they are covered
/// here with their reason.
public struct Revocation: Hashable, Sendable {
    /// The set of tokens a revocation covers.
    public enum Scope: String, Hashable, Sendable, Codable, CaseIterable {
        case token, grant, session, subject, client

        /// The access-token claim the scope's identifier is matched against, which is also its
        /// member name on the wire: `jti`, `grant_id`, `sid`, `sub` or `client_id`.
        public var identifierClaim: String {
            switch self {
            case .token: "jti"
            case .grant: "grant_id"
            case .session: "sid"
            case .subject: "sub"
            case .client: "client_id"
            }
        }
    }

    /// The type names of the events that revoke (``init(_:)`` answers a revocation for exactly
    /// these); `Schema/0005_relay.sql` lists the same, and a test holds the two together.
    public static let eventTypeNames = [
        GrantEvent.Kind.accessTokenRevoked.rawValue, GrantEvent.Kind.revoked.rawValue, SessionEvent.Kind.revoked.rawValue,
        SubjectEvent.Kind.revoked.rawValue, ClientEvent.Kind.revoked.rawValue,
    ]

    /// What is revoked.
    public var scope: Scope
    /// The identifier of the scope: a `jti`, grant id, session id, subject or client id.
    public var identifier: String
    /// Subject and client scopes: tokens issued before it are revoked.
    public var notBefore: Instant?
    /// When every token the revocation covers has expired.
    public var until: Instant
    /// Why, e.g. `reuse_detected`.
    public var reason: RevocationReason

    /// The revocation an event records, or nil when the event revokes nothing.
    public init?(_ event: LedgerEvent) {
        switch event {
        case .grant(.accessTokenRevoked(let e)):
            self.init(scope: .token, identifier: e.jti.rawValue, until: e.until, reason: e.reason)
        case .grant(.revoked(let e)):
            self.init(scope: .grant, identifier: e.grantID.rawValue, until: e.until, reason: e.reason)
        case .session(.revoked(let e)):
            self.init(scope: .session, identifier: e.sessionID.rawValue, until: e.until, reason: e.reason)
        case .subject(.revoked(let e)):
            self.init(scope: .subject, identifier: e.subject.rawValue, until: e.until, reason: e.reason)
            notBefore = e.notBefore
        case .client(.revoked(let e)):
            self.init(scope: .client, identifier: e.clientID.rawValue, until: e.until, reason: e.reason)
            notBefore = e.notBefore
        case .grant, .session, .client, .signingKey, .login, .consent:
            return nil
        }
    }

    /// Creates a revocation.
    public init(scope: Scope, identifier: String, notBefore: Instant? = nil, until: Instant, reason: RevocationReason) {
        self.scope = scope
        self.identifier = identifier
        self.notBefore = notBefore
        self.until = until
        self.reason = reason
    }
}
