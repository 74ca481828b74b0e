import Hummingbird
import LedgerService

/// `POST /revoke` (RFC 7009): the authenticated client revokes one of its own tokens
/// (``TokenService/revoke(_:by:metadata:)``). Unknown, invalid or another client's tokens get
/// the same empty 200 (RFC 7009 §2.2), so the endpoint reveals nothing; the answer comes after
/// the revocation is committed (I1).
struct RevocationEndpoint: Sendable {
    let shared: TokenServices

    /// Answers one revocation request.
    func handle(_ request: Request, requestID: String, address: String?) async -> Response {
        await TokenServices.answer { () async throws(OAuthError) -> Response in
            let form = try await FormParameters.body(of: request)
            let caller = try await shared.authenticator.authenticate(request, form: form)
            guard let token = form["token"] else { throw .invalidRequest("token is missing") }
            let metadata = shared.metadata(client: caller.client, request: request, requestID: requestID, address: address)
            let tokens = shared.tokens
            try await shared.calling(caller) { () async throws(TokenError) in
                try await tokens.revoke(token, by: caller.client, metadata: metadata)
            }
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
    }
}
