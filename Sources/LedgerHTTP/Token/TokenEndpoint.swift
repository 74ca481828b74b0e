import Hummingbird
import LedgerDomain
import LedgerPostgres

/// `POST /token` (RFC 6749 §3.2, §4.1.3, §4.4, §6; docs/http-api.md): authenticates the client,
/// checks the grant type, and dispatches. Every answer follows the commit of the events that
/// record it (I1): ``GrantStore/execute(_:on:context:metadata:maxAttempts:)`` returns after
/// the batch committed.
struct TokenEndpoint: Sendable {
    /// The grant types this endpoint implements.
    static let grantTypes: Set<String> = ["authorization_code", "refresh_token", "client_credentials"]

    let shared: TokenServices

    var services: LedgerServices { shared.services }

    /// Answers one token request; errors become RFC 6749 §5.2 JSON.
    func handle(_ request: Request, requestID: String) async -> Response {
        await TokenServices.answer { () async throws(OAuthError) -> Response in
            let form = try await FormParameters.body(of: request)
            let caller = try await shared.authenticator.authenticate(request, form: form)
            let client = caller.client
            guard let grantType = form["grant_type"] else { throw .invalidRequest("grant_type is missing") }
            guard Self.grantTypes.contains(grantType) else {
                throw .unsupportedGrantType("grant_type is not supported")
            }
            guard client.allows(grantType: grantType) else {
                throw .unauthorizedClient("the client may not use this grant type")
            }
            let metadata = shared.metadata(client: client, request: request, requestID: requestID)
            switch grantType {
            case "authorization_code": return try await redeemCode(form, caller: caller, metadata: metadata)
            case "refresh_token": return try await refresh(form, caller: caller, metadata: metadata)
            default: return try await clientCredentials(form, caller: caller, metadata: metadata)
            }
        }
    }

    /// Runs a grant command the caller's registration authorized, counts what it did, and turns
    /// a refusal into the protocol error. Events a refusal carries (a replay's revocation) are
    /// committed before the error answers. Nothing is written if the registration changed since
    /// it was read: the request is refused as `invalid_client` (a retry authenticates afresh).
    func execute(
        _ command: GrantCommand, on grant: GrantID, start: AggregateStore<Grant>.Start, caller: AuthenticatedClient,
        context: DecisionContext, metadata: EventMetadata
    ) async throws(OAuthError) -> GrantStore.Outcome {
        guard let outcome = try await attempt(command, on: grant, start: start, caller: caller, context: context, metadata: metadata) else {
            throw registrationChanged(caller)
        }
        return outcome
    }

    /// ``execute(_:on:start:caller:context:metadata:)`` with more streams in the read set
    /// (`reads`, beside the caller's registration); nil, with nothing written, if any of them
    /// moved since it was read.
    func attempt(
        _ command: GrantCommand, on grant: GrantID, start: AggregateStore<Grant>.Start, caller: AuthenticatedClient,
        context: DecisionContext, metadata: EventMetadata, reads: [StreamID: Int64] = [:]
    ) async throws(OAuthError) -> GrantStore.Outcome? {
        let grants = services.grants
        let readSet = caller.readSet.merging(reads) { registration, _ in registration }
        let outcome: GrantStore.Outcome
        do {
            outcome = try await grants.execute(command, on: grant, context: context, metadata: metadata, readSet: readSet, start: start)
        } catch where error.code == .staleRead {
            return nil
        } catch {
            throw shared.unavailable("grant command", error)
        }
        TokenMetrics.record(outcome.decision.events)
        if let refusal = outcome.decision.refusal { throw OAuthError(grantRefusal: refusal) }
        return outcome
    }

    /// The refusal when the caller's registration moved during the request; the cached copy
    /// is dropped.
    func registrationChanged(_ caller: AuthenticatedClient) -> OAuthError {
        services.clients.forget(caller.client.id)
        return caller.registrationChanged
    }

    /// The scope parameter, when present.
    static func requestedScope(_ form: FormParameters) throws(OAuthError) -> Scope? {
        guard let text = form["scope"] else { return nil }
        let scope = Scope(parsing: text)
        // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
        let valid = scope.values.allSatisfy { token in
            token.unicodeScalars.allSatisfy { $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value) }
        }
        guard valid, !scope.values.isEmpty else { throw .invalidScope("scope is malformed") }
        return scope
    }
}
