/// The endpoints of the issuer, from its discovery document (OIDC Discovery §3, RFC 8414).
struct ProviderMetadata: Sendable, Decodable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var userinfoEndpoint: String?
    var revocationEndpoint: String?
    var endSessionEndpoint: String?
    var jwksURI: String

    enum CodingKeys: String, CodingKey {
        case issuer, authorizationEndpoint = "authorization_endpoint", tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint", revocationEndpoint = "revocation_endpoint"
        case endSessionEndpoint = "end_session_endpoint", jwksURI = "jwks_uri"
    }
}
