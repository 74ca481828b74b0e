import LedgerDomain

/// What the BFF keeps of one signed-in browser, sealed in Redis: the token set (never sent to
/// the browser), the user's claims, and what a revocation names (`sub`, `sid`, `grant_id`).
struct BFFSession: Sendable, Codable, Hashable {
    var accessToken: String
    /// Unix seconds.
    var accessTokenExpiresAt: Int64
    var refreshToken: String?
    var idToken: String
    /// The ID token's `sub`, and userinfo's claims.
    var claims: [String: JSONValue]
    var subject: String
    /// The OP session (`sid` of the ID token).
    var opSessionID: String?
    /// The grant the tokens belong to (the access token's `grant_id`, when it is a JWT with one).
    var grantID: String?
    /// Unix seconds: when the login completed, and when the session ends at the latest.
    var createdAt: Int64
    var expiresAt: Int64

    enum CodingKeys: String, CodingKey {
        case accessToken = "at", accessTokenExpiresAt = "at_exp", refreshToken = "rt", idToken = "idt", claims, subject = "sub"
        case opSessionID = "sid", grantID = "grant_id", createdAt = "created", expiresAt = "expires"
    }

    /// The revocation-index entries of this session: each names the session's key under one
    /// identifier a broadcast revocation can carry.
    var indexNames: [String] {
        var names = ["sub:" + subject]
        if let opSessionID { names.append("sid:" + opSessionID) }
        if let grantID { names.append("grant:" + grantID) }
        return names
    }

    /// Whether a broadcast revocation for the BFF's client `clientID` ends this session. A
    /// token-scope revocation ends none (the next refresh replaces the token); subject and
    /// client revocations spare sessions that logged in at or after `not_before`.
    func isCovered(by event: RevokedEvent, clientID: String) -> Bool {
        let named: Bool
        switch event.scope {
        case .grant: named = event.grantID != nil && event.grantID == grantID
        case .session: named = event.sid != nil && event.sid == opSessionID
        case .subject: named = event.sub == subject
        case .client: named = event.clientID == clientID
        case .token: named = false
        }
        guard named else { return false }
        if let notBefore = event.notBefore { return createdAt < notBefore }
        return true
    }
}
