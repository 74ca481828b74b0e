import Foundation
import HTTPTypes
import Hummingbird
import LedgerPostgres

/// A successful token response (RFC 6749 §5.1), with `id_token` when the code exchange granted
/// `openid` (OIDC Core §3.1.3.3).
struct TokenResponse: Encodable {
    var accessToken: String
    var tokenType = "Bearer"
    /// Seconds until the access token expires.
    var expiresIn: Int64
    /// The new refresh token, when one was issued.
    var refreshToken: String?
    var scope: String
    /// The ID token, when one was issued.
    var idToken: String?

    init(access: AccessTokenMinter.Minted, refreshToken: String?, idToken: String? = nil) {
        accessToken = access.token
        expiresIn = access.expiresIn
        self.refreshToken = refreshToken
        scope = access.scope.description
        self.idToken = idToken
    }

    /// The JSON body; these exact bytes are what a grace-window duplicate gets back.
    func body() -> Data {
        (try? CanonicalJSON.encode(self)) ?? Data()
    }

    /// A 200 answer with `body`, never cached (RFC 6749 §5.1).
    static func response(_ body: Data) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token", scope, idToken = "id_token"
    }
}
