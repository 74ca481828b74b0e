import Foundation
import HTTPTypes
import Hummingbird

/// Why `/authorize` refused a request, and where the answer goes (RFC 6749 §4.1.2.1): to the
/// user as a page when the redirect URI cannot be trusted, else back to the client.
enum AuthorizeFailure: Error, Sendable, Hashable {
    /// Unknown or inactive client, missing or unregistered redirect_uri, undecodable query:
    /// an error page, never a redirect.
    case page(HTTPResponse.Status, code: String, String)
    /// Everything else: a redirect to the (registered) redirect URI with `error`,
    /// `error_description`, the original `state` and `iss` (RFC 9207).
    case redirect(OAuthError, redirectURI: String, state: String?)

    /// The HTTP answer.
    func response(issuer: String) -> Response {
        switch self {
        case .page(let status, let code, let message):
            return HTMLPage.error(status: status, message, code: code)
        case .redirect(let error, let redirectURI, let state):
            var parameters = [("error", error.code), ("error_description", error.detail)]
            if let state { parameters.append(("state", state)) }
            parameters.append(("iss", issuer))
            return AuthorizationRedirect.response(.found, to: redirectURI, parameters)
        }
    }
}
