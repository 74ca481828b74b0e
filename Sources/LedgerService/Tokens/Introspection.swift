import JWTKit

/// What introspection says of a token (RFC 7662 §2.2); absent members are omitted, and any
/// token that is not active is exactly `{"active":false}`.
package struct Introspection: Sendable, Equatable, Encodable {
    package var active: Bool
    package var scope: String?
    package var clientID: String?
    package var sub: String?
    package var exp: Int64?
    package var iat: Int64?
    package var tokenType: String?
    package var jti: String?
    package var iss: String?
    /// The token's audience: one string, or an array of several (RFC 7662 §2.2).
    package var aud: AudienceClaim?

    /// The answer for any token that is not active.
    package static let inactive = Introspection(active: false)

    enum CodingKeys: String, CodingKey {
        case active, scope, clientID = "client_id", sub, exp, iat, tokenType = "token_type", jti, iss, aud
    }
}
