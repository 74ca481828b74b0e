import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

/// Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3):
/// `client_secret_basic`, `client_secret_post`, or `none` for public clients. The method used
/// must be the one the client registered; exactly one method per request.
package struct ClientAuthenticator: Sendable {
    private let clients: ClientStore

    /// Creates an authenticator over the client store.
    package init(clients: ClientStore) {
        self.clients = clients
    }

    /// The authenticated, active client, as registered at the version read. The registration
    /// may be up to a second old (``ClientStore/recent(_:)``): writes it authorizes carry
    /// ``AuthenticatedClient/readSet`` so that a registration changed meanwhile fails them.
    package func authenticate(_ request: Request, form: FormParameters) async throws(OAuthError) -> AuthenticatedClient {
        let basic = try Self.basicCredentials(request)
        if basic != nil, form["client_secret"] != nil {
            throw .invalidRequest("use one client authentication method")
        }
        let (id, secret, method): (String, String?, String)
        if let basic {
            if let formID = form["client_id"], formID != basic.id { throw .invalidRequest("client_id does not match the credentials") }
            (id, secret, method) = (basic.id, basic.secret, "client_secret_basic")
        } else if let formSecret = form["client_secret"] {
            guard let formID = form["client_id"] else { throw .invalidRequest("client_id is missing") }
            (id, secret, method) = (formID, formSecret, "client_secret_post")
        } else {
            guard let formID = form["client_id"] else { throw .invalidClient("client authentication is missing", basicAttempted: false) }
            (id, secret, method) = (formID, nil, "none")
        }
        let failure = OAuthError.invalidClient("client authentication failed", basicAttempted: basic != nil)
        let found: (client: Client, version: Int64)?
        do {
            found = try await clients.recent(ClientID(id))
        } catch {
            throw .temporarilyUnavailable("client lookup failed")
        }
        guard let (client, version) = found, client.active, client.registration.tokenEndpointAuthMethod == method else { throw failure }
        if let secret {
            guard let hash = client.registration.secretHash, SecretDigest.matches(secret, hash) else { throw failure }
        }
        return AuthenticatedClient(client: client, version: version, basicAttempted: basic != nil)
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
