import Hummingbird
import LedgerDomain
import LedgerService

/// What `/token`, `/revoke`, `/introspect` and the bearer-protected routes share: the token use
/// cases, client authentication from the request, and the mapping of a use case's failure to
/// its protocol error (storage failures answer 503 `temporarily_unavailable`, never 500).
struct TokenServices: Sendable {
    let services: LedgerServices
    let authenticator: ClientAuthenticator

    init(_ services: LedgerServices) {
        self.services = services
        authenticator = ClientAuthenticator(tokens: services.tokens, rateLimiter: services.clientRateLimiter)
    }

    /// The token use cases.
    var tokens: TokenService { services.tokens }

    /// Runs a use case for `caller` (nil before a client authenticated); its failure becomes
    /// the protocol error.
    func calling<T>(_ caller: AuthenticatedClient?, _ body: () async throws(TokenError) -> T) async throws(OAuthError) -> T {
        do {
            return try await body()
        } catch {
            throw OAuthError(error, basicAttempted: caller?.method == .clientSecretBasic)
        }
    }

    /// Who caused the events of a request: the client, the request id and keyed digests of the
    /// caller's `address` and User-Agent (I6: never the values themselves); together they are
    /// the caller's fingerprint (``EventMetadata/fingerprint``).
    func metadata(client: Client, request: Request, requestID: String, address: String?) -> EventMetadata {
        EventMetadata(
            actor: "client:\(client.id)", clientID: client.id.rawValue, requestID: requestID,
            ipHash: address.map(services.fingerprints.digest), userAgentHash: request.headers[.userAgent].map(services.fingerprints.digest)
        )
    }

    /// Turns a protocol error into its RFC 6749 §5.2 answer.
    static func answer(_ body: () async throws(OAuthError) -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return error.response()
        }
    }
}
