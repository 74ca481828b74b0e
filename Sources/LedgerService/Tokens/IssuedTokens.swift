import Foundation
import LedgerDomain
import LedgerPostgres

/// What a token request is answered with: the RFC 6749 §5.1 JSON body (with `id_token` when
/// `openid` was granted, OIDC Core §3.1.3.3), byte for byte what the client gets. A grace-window
/// duplicate of a refresh gets the very bytes its winner got.
package struct IssuedTokens: Sendable, Hashable {
    /// The JSON body.
    package var body: Data

    /// The answer whose body was sealed for the grace window and opened again.
    init(replayed body: Data) {
        self.body = body
    }

    /// The answer for a new access token, with the refresh and ID tokens issued beside it.
    init(access: AccessTokenMinter.Minted, refreshToken: String?, idToken: String? = nil) {
        let response = Response(
            accessToken: access.token, expiresIn: access.expiresIn, refreshToken: refreshToken, scope: access.scope.description,
            idToken: idToken
        )
        body = (try? CanonicalJSON.encode(response)) ?? Data()
    }

    private struct Response: Encodable {
        var accessToken: String
        var tokenType = "Bearer"
        /// Seconds until the access token expires.
        var expiresIn: Int64
        var refreshToken: String?
        var scope: String
        var idToken: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
            case refreshToken = "refresh_token", scope, idToken = "id_token"
        }
    }
}
