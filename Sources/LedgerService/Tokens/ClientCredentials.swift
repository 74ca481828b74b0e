/// What a client presented to authenticate (RFC 6749 §2.3): its id, and its secret unless it
/// is a public client. Parsing them out of a request is the transport's job.
package struct ClientCredentials: Sendable {
    /// A token endpoint authentication method (RFC 7591 §2).
    package enum Method: String, Sendable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        case none
    }

    /// The `client_id`.
    package var id: String
    /// The secret in clear; nil for ``Method/none``.
    package var secret: String?
    /// How the credentials came.
    package var method: Method

    /// Credentials for `id` sent with `method`.
    package init(id: String, secret: String?, method: Method) {
        self.id = id
        self.secret = secret
        self.method = method
    }
}
