import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService

/// `POST /token` (RFC 6749 §3.2, §4.1.3, §4.4, §6; docs/http-api.md): parses the form,
/// authenticates the client, checks the grant type, and calls the grant's use case in
/// ``TokenService``. Every answer follows the commit of the events that record it (I1).
struct TokenEndpoint: Sendable {
    /// The grant types this endpoint implements.
    static let grantTypes: Set<String> = ["authorization_code", "refresh_token", "client_credentials"]

    let shared: TokenServices

    /// Answers one token request; errors become RFC 6749 §5.2 JSON.
    func handle(_ request: Request, requestID: String, address: String?) async -> Response {
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
            let resources = try ResourceIndicators.parse(form.resources)
            let metadata = shared.metadata(client: client, request: request, requestID: requestID, address: address)
            let tokens = shared.tokens
            let issued: IssuedTokens
            switch grantType {
            case "authorization_code":
                guard let code = form["code"] else { throw .invalidRequest("code is missing") }
                let challenge = try Self.verifierChallenge(form)
                issued = try await shared.calling(caller) { () async throws(TokenError) in
                    try await tokens.redeemCode(
                        code, redirectURI: form["redirect_uri"], verifierChallenge: challenge, resources: resources, caller: caller, metadata: metadata
                    )
                }
            case "refresh_token":
                guard let presented = form["refresh_token"] else { throw .invalidRequest("refresh_token is missing") }
                let scope = try Self.requestedScope(form)
                issued = try await shared.calling(caller) { () async throws(TokenError) in
                    try await tokens.refresh(presented, scope: scope, resources: resources, caller: caller, metadata: metadata)
                }
            default:
                let scope = try Self.requestedScope(form)
                issued = try await shared.calling(caller) { () async throws(TokenError) in
                    try await tokens.clientCredentials(scope: scope, resources: resources, caller: caller, metadata: metadata)
                }
            }
            return Self.response(issued)
        }
    }

    /// The S256 challenge of `code_verifier`, when one was sent (RFC 7636 §4.5).
    static func verifierChallenge(_ form: FormParameters) throws(OAuthError) -> String? {
        guard let verifier = form["code_verifier"] else { return nil }
        guard let challenge = PKCE.s256Challenge(of: verifier) else {
            throw .invalidGrant("code_verifier must be 43-128 unreserved characters")
        }
        return challenge
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

    /// A 200 answer with the token response, never cached (RFC 6749 §5.1).
    static func response(_ issued: IssuedTokens) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: issued.body))
        )
    }
}
