import LedgerDomain

/// A client that authenticated to the token, revocation or introspection endpoint: its
/// registration, the stream version it was read at, and the method it used.
package struct AuthenticatedClient: Sendable {
    /// The registration the request was authenticated against.
    package var client: Client
    /// The `client/<id>` stream version of that registration.
    package var version: Int64
    /// The authentication method used (`client_secret_basic`, `client_secret_post`, `none`).
    package var method: ClientCredentials.Method

    /// The read set for writes this client authorizes: its registration at the version read.
    package var readSet: [StreamID: Int64] { [.client(client.id): version] }
}
