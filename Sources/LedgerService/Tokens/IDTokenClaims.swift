import JWTKit
import LedgerDomain

/// The claims of an ID token (OIDC Core §2, §3.1.3.6): who signed in, to which client, when,
/// in which OP session, bound to the authorization request's `nonce` and to the access token
/// issued beside it (`at_hash`). User claims come from `/userinfo`.
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

    /// Time-dependent checks are the caller's, with the service clock (time is an input).
    package func verify(using algorithm: some JWTAlgorithm) async throws {}

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, authTime = "auth_time", nonce, sid, atHash = "at_hash", azp, jti
    }

    /// The client the token was issued to: `aud` (the RP-initiated logout hint names its client so).
    package var clientID: ClientID { ClientID(aud) }
}
