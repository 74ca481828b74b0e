import WebEncoding
import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService

/// Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3):
/// `client_secret_basic`, `client_secret_post`, or `none` for public clients. The method used
/// must be the one the client registered; exactly one method per request. An authenticated
/// client over its rate limit (when one is configured) is refused here, 429, before any use
/// case runs.
package struct ClientAuthenticator: Sendable {
    private let tokens: TokenService
    private let rateLimiter: ClientRateLimiter?

    /// Creates an authenticator over the token use cases, limiting each client with `rateLimiter`.
    package init(tokens: TokenService, rateLimiter: ClientRateLimiter?) {
        self.tokens = tokens
        self.rateLimiter = rateLimiter
    }

    /// The authenticated, active client (``TokenService/authenticate(_:)``), from the
    /// credentials the request carries; refused with 429 when over its rate limit.
    package func authenticate(_ request: Request, form: FormParameters) async throws(OAuthError) -> AuthenticatedClient {
        let basic = try Self.basicCredentials(request)
        if basic != nil, form["client_secret"] != nil {
            throw .invalidRequest("use one client authentication method")
        }
        let credentials: ClientCredentials
        if let basic {
            if let formID = form["client_id"], formID != basic.id { throw .invalidRequest("client_id does not match the credentials") }
            credentials = ClientCredentials(id: basic.id, secret: basic.secret, method: .clientSecretBasic)
        } else if let formSecret = form["client_secret"] {
            guard let formID = form["client_id"] else { throw .invalidRequest("client_id is missing") }
            credentials = ClientCredentials(id: formID, secret: formSecret, method: .clientSecretPost)
        } else {
            guard let formID = form["client_id"] else { throw .invalidClient("client authentication is missing", basicAttempted: false) }
            credentials = ClientCredentials(id: formID, secret: nil, method: .none)
        }
        let caller: AuthenticatedClient
        do {
            caller = try await tokens.authenticate(credentials)
        } catch {
            throw OAuthError(error, basicAttempted: basic != nil)
        }
        if let rateLimiter, let wait = rateLimiter.admit(caller.client.id.rawValue) { throw .rateLimited(retryAfter: wait) }
        return caller
    }

    /// `Authorization: Basic` credentials, form-urldecoded per RFC 6749 §2.3.1.
    static func basicCredentials(_ request: Request) throws(OAuthError) -> (id: String, secret: String)? {
        guard let header = request.headers[.authorization] else { return nil }
        guard header.count > 6, header.prefix(6).lowercased() == "basic " else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6).trimmingOptionalWhitespace)),
            let text = String(validating: data, as: UTF8.self), let colon = text.firstIndex(of: ":"),
            let id = FormParameters.decode(text[..<colon]), let secret = FormParameters.decode(text[text.index(after: colon)...])
        else {
            throw .invalidClient("malformed Basic credentials", basicAttempted: true)
        }
        return (id, secret)
    }
}
