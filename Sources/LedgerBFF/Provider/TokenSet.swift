/// A token endpoint's successful answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
struct TokenSet: Sendable, Decodable {
    var accessToken: String
    var tokenType: String
    var expiresIn: Int64?
    var refreshToken: String?
    var idToken: String?
    var scope: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token", idToken = "id_token", scope
    }
}
