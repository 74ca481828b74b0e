import JWTKit

/// The payload as decoded from the wire: every claim optional, so a missing one becomes a
/// typed ``GuardError`` naming it rather than a decoding failure.
struct AccessTokenPayload: JWTPayload {
    var iss: String?
    var sub: String?
    var aud: AudienceClaim?
    var exp: Int64?
    var nbf: Int64?
    var iat: Int64?
    var jti: String?
    var clientID: String?
    var scope: String?
    var grantID: String?
    var sid: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, nbf, iat, jti, clientID = "client_id", scope, grantID = "grant_id", sid
    }

    /// Claims are checked by ``AccessTokenValidator`` with its clock (time is an input).
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
