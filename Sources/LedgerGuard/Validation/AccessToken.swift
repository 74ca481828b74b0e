/// The claims of an access token that passed validation (RFC 9068 §2.2, docs/broadcast.md):
/// everything a handler needs to authorize a request and the kit needs to apply revocations.
public struct AccessToken: Hashable, Sendable {
    /// `iss`.
    public var issuer: String
    /// `sub`: the user, or the client itself for client credentials.
    public var subject: String
    /// `aud`: every audience the token names.
    public var audiences: [String]
    /// `exp`, Unix seconds.
    public var expiresAt: Int64
    /// `iat`, Unix seconds.
    public var issuedAt: Int64
    /// `jti`.
    public var jti: String
    /// `client_id`.
    public var clientID: String
    /// `grant_id`.
    public var grantID: String
    /// `sid`, when the grant came from a browser session.
    public var sid: String?
    /// The scopes of the space-delimited `scope` claim.
    public var scopes: Set<String>

    /// Creates validated claims (the validator does; tests may too).
    public init(
        issuer: String, subject: String, audiences: [String], expiresAt: Int64, issuedAt: Int64, jti: String, clientID: String,
        grantID: String, sid: String?, scopes: Set<String>
    ) {
        self.issuer = issuer
        self.subject = subject
        self.audiences = audiences
        self.expiresAt = expiresAt
        self.issuedAt = issuedAt
        self.jti = jti
        self.clientID = clientID
        self.grantID = grantID
        self.sid = sid
        self.scopes = scopes
    }
}
