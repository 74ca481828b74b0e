import LedgerDomain

/// A client that authenticated to the token, revocation or introspection endpoint: its
/// registration and the stream version it was read at.
package struct AuthenticatedClient: Sendable {
    /// The registration the request was authenticated against.
    package var client: Client
    /// The `client/<id>` stream version of that registration.
    package var version: Int64
    /// Whether the credentials came in an `Authorization: Basic` header (a refusal then
    /// answers 401 with a Basic challenge).
    package var basicAttempted: Bool

    /// The read set for writes this client authorizes: its registration at the version read.
    package var readSet: [StreamID: Int64] { [.client(client.id): version] }

    /// The refusal when the registration changed between authentication and the write: the
    /// request was authorized by a registration that no longer holds.
    var registrationChanged: OAuthError {
        .invalidClient("the client registration changed during the request", basicAttempted: basicAttempted)
    }
}
