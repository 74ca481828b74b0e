import JWTKit
import LedgerDomain

/// The claims of an ID token (OIDC Core §2, §3.1.3.6): who signed in, to which client, when,
/// in which OP session, bound to the authorization request's `nonce` and to the access token
/// issued beside it (`at_hash`). User claims come from `/userinfo`, except those a delegated
/// login's apps supplied for the ID token (``userClaims``).
package struct IDTokenClaims: JWTPayload, Hashable {
    /// The issuer URL.
    package var iss: String
    /// The user.
    package var sub: String
    /// The client the token is for (a single audience).
    package var aud: String
    /// Expiry, Unix seconds.
    package var exp: Int64
    /// Issue time, Unix seconds.
    package var iat: Int64
    /// When the user authenticated, Unix seconds.
    package var authTime: Int64?
    /// The `nonce` of the authorization request, unchanged.
    package var nonce: String?
    /// The OP session.
    package var sid: String?
    /// Left half of the hash of the access token, base64url (OIDC Core §3.1.3.6).
    package var atHash: String?
    /// The authorized party: the client (always present, so it never depends on `aud`'s shape).
    package var azp: String
    /// The token's unique id, as `grant.id_token.issued` records it.
    package var jti: String
    /// Authentication context class (a delegated login's `acr`).
    package var acr: String?
    /// Authentication methods (a delegated login's `amr`, RFC 8176).
    package var amr: [String]?
    /// User claims the delegated login's apps supplied, released by the granted scope; encoded
    /// beside the others, never decoded.
    package var userClaims: [String: JSONValue] = [:]

    /// Time-dependent checks are the caller's, with the service clock (time is an input).
    package func verify(using algorithm: some JWTAlgorithm) async throws {}

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, authTime = "auth_time", nonce, sid, atHash = "at_hash", azp, jti, acr, amr
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(sub, forKey: .sub)
        try container.encode(aud, forKey: .aud)
        try container.encode(exp, forKey: .exp)
        try container.encode(iat, forKey: .iat)
        try container.encodeIfPresent(authTime, forKey: .authTime)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(sid, forKey: .sid)
        try container.encodeIfPresent(atHash, forKey: .atHash)
        try container.encode(azp, forKey: .azp)
        try container.encode(jti, forKey: .jti)
        try container.encodeIfPresent(acr, forKey: .acr)
        try container.encodeIfPresent(amr, forKey: .amr)
        var claims = encoder.container(keyedBy: ClaimName.self)
        for (name, value) in userClaims { try claims.encode(value, forKey: ClaimName(stringValue: name)) }
    }

    /// Any claim name.
    struct ClaimName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The client the token was issued to: `aud` (the RP-initiated logout hint names its client so).
    package var clientID: ClientID { ClientID(aud) }
}
