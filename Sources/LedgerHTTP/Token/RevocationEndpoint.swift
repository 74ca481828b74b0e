import Hummingbird
import LedgerDomain
import LedgerPostgres

/// `POST /revoke` (RFC 7009): the authenticated client revokes one of its own tokens. A
/// refresh token revokes its whole grant; an access token is deny-listed until it expires.
/// Unknown, invalid or another client's tokens get the same empty 200 (RFC 7009 §2.2), so the endpoint
/// reveals nothing; the answer comes after the revocation is committed (I1).
struct RevocationEndpoint: Sendable {
    let shared: TokenServices

    /// Answers one revocation request.
    func handle(_ request: Request, requestID: String) async -> Response {
        await TokenServices.answer { () async throws(OAuthError) -> Response in
            let form = try await FormParameters.body(of: request)
            let client = try await shared.authenticator.authenticate(request, form: form).client
            guard let token = form["token"] else { throw .invalidRequest("token is missing") }
            let metadata = shared.metadata(client: client, request: request, requestID: requestID)
            switch try await shared.resolve(token, at: shared.services.now()) {
            case .refresh(let found, _) where found.grant.clientID == client.id:
                let start = AggregateStore<Grant>.Start.loaded(found.grant, version: found.version)
                try await revoke(.revoke(reason: .holderRequest), on: found.grant.id, start: start, metadata: metadata)
            case .access(let claims) where claims.clientID == client.id.rawValue:
                let command = GrantCommand.revokeAccessToken(
                    jti: TokenID(claims.jti), expiresAt: Instant(seconds: claims.exp), reason: .holderRequest
                )
                try await revoke(command, on: GrantID(claims.grantID), start: .load, metadata: metadata)
            case .refresh, .access, .unknown:
                break
            }
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
    }

    private func revoke(
        _ command: GrantCommand, on grant: GrantID, start: AggregateStore<Grant>.Start, metadata: EventMetadata
    ) async throws(OAuthError) {
        let context = DecisionContext(now: shared.services.now())
        let grants = shared.services.grants
        let outcome = try await shared.orTemporarilyUnavailable("revocation") {
            try await grants.execute(command, on: grant, context: context, metadata: metadata, start: start)
        }
        TokenMetrics.record(outcome.decision.events)
    }
}
