import JWTKit
import LedgerDomain

/// The claims of a JWT access token (RFC 9068 §2.2), with everything a resource server needs to
/// apply every revocation scope locally (docs/broadcast.md): `jti`, `sub`, `client_id`, `iat`, `exp`,
/// `grant_id`, and `sid` when the grant came from a browser session.
package struct AccessTokenClaims: JWTPayload, Equatable {
    /// The JOSE `typ` of an access token (RFC 9068 §2.1).
    package static let type = "at+jwt"

    /// The issuer URL.
    package var iss: String
    /// The subject: the user, or the client itself for client credentials.
    package var sub: String
    /// The resources the token is for (RFC 8707, RFC 9068 §3): one string, or an array of several.
    package var aud: AudienceClaim
    /// Expiry, Unix seconds.
    package var exp: Int64
    /// Issue time, Unix seconds.
    package var iat: Int64
    /// The token's unique id, the key of `token`-scope revocations.
    package var jti: String
    /// The client the token was issued to.
    package var clientID: String
    /// The space-delimited scope.
    package var scope: String
    /// The grant (refresh-token family) the token belongs to.
    package var grantID: String
    /// The OP session, when the grant has one.
    package var sid: String?

    /// Creates the claims of a token issued at `issuedAt` that expires at `expiresAt`.
    package init(
        issuer: String, audience: [String], grant: GrantID, subject: Subject, client: ClientID, session: SessionID?,
        scope: Scope, jti: TokenID, issuedAt: Instant, expiresAt: Instant
    ) {
        iss = issuer
        sub = subject.rawValue
        aud = AudienceClaim(value: audience)
        exp = expiresAt.seconds
        iat = issuedAt.seconds
        self.jti = jti.rawValue
        clientID = client.rawValue
        self.scope = scope.description
        grantID = grant.rawValue
        sid = session?.rawValue
    }

    /// Time-dependent checks are the caller's, with the service clock (time is an input).
    package func verify(using algorithm: some JWTAlgorithm) async throws {}

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, jti, clientID = "client_id", scope, grantID = "grant_id", sid
    }
}
