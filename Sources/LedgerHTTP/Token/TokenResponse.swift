import Foundation
import HTTPTypes
import Hummingbird

/// A successful token response (RFC 6749 §5.1). The OIDC code exchange will add `id_token`
/// here once ID tokens are minted (see ``TokenEndpoint`` `redeemCode`).
struct TokenResponse: Encodable {
    var accessToken: String
    var tokenType = "Bearer"
    /// Seconds until the access token expires.
    var expiresIn: Int64
    /// The new refresh token, when one was issued.
    var refreshToken: String?
    var scope: String

    init(access: AccessTokenMinter.Minted, refreshToken: String?) {
        accessToken = access.token
        expiresIn = access.expiresIn
        self.refreshToken = refreshToken
        scope = access.scope.description
    }

    /// The JSON body; these exact bytes are what a grace-window duplicate gets back.
    func body() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
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
        case refreshToken = "refresh_token", scope
    }
}
