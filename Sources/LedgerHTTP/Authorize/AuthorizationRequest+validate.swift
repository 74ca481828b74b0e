import LedgerDomain
import LedgerService

extension AuthorizationRequest {
    /// Longest `state` and `nonce` accepted (I8: bounded input).
    static let maximumOpaqueLength = 1024

    /// Finds the client and checks the redirect URI before anything else: until both are
    /// known good, no error may be redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.1).
    /// `clientID` and `redirectURI` are nil when absent or given twice with different values.
    static func trustedTarget(
        clientID: String?, redirectURI: String?, clients: ClientRegistration
    ) async throws(AuthorizeFailure) -> (Client, String) {
        guard let clientID else {
            throw .page(.badRequest, code: "invalid_request", "The request names no client, or more than one.")
        }
        let client: Client?
        do {
            client = try await clients.client(ClientID(clientID))
        } catch {
            throw .page(.serviceUnavailable, code: "temporarily_unavailable", "The service cannot check this request right now. Try again later.")
        }
        guard let client, client.active else {
            throw .page(.badRequest, code: "invalid_client", "The application that sent you here is not registered.")
        }
        guard let redirectURI else {
            throw .page(.badRequest, code: "invalid_request", "The request has no redirect_uri, or more than one.")
        }
        // I7: exact string comparison, no normalization, no prefix or suffix matching; only a
        // loopback IP redirect may name another port (RFC 8252 §7.3).
        guard client.registration.allowsRedirect(to: redirectURI) else {
            throw .page(.badRequest, code: "invalid_request", "The redirect_uri is not registered for this application.")
        }
        return (client, redirectURI)
    }

    /// Validates the rest of the request for a trusted client and redirect URI; refusals are
    /// redirected there with the original `state`. `permits` says whether the client may ask
    /// for the request's resources (``TokenService/permits(_:for:)``).
    static func validate(
        _ query: AuthorizeQuery, client: Client, redirectURI: String, now: Instant, permits: (Resources, Client) -> Bool
    ) throws(AuthorizeFailure) -> AuthorizationRequest {
        let rawState = query.unambiguous("state")
        let state = rawState.flatMap { $0.count <= maximumOpaqueLength ? $0 : nil }
        func refuse(_ error: OAuthError) -> AuthorizeFailure { .redirect(error, redirectURI: redirectURI, state: state) }

        // `resource` alone may repeat (RFC 8707 §2).
        if let name = query.repeatedNames.first(where: { $0 != "resource" }) {
            throw refuse(.invalidRequest("parameter \(name) is repeated"))
        }
        if rawState != nil, state == nil { throw refuse(.invalidRequest("state is longer than \(maximumOpaqueLength) characters")) }
        if query["request"] != nil { throw refuse(OAuthError("request_not_supported", "request objects are not supported")) }
        if query["request_uri"] != nil { throw refuse(OAuthError("request_uri_not_supported", "request_uri is not supported")) }
        guard let responseType = query["response_type"] else { throw refuse(.invalidRequest("response_type is missing")) }
        guard responseType == "code" else {
            throw refuse(OAuthError("unsupported_response_type", "only response_type=code is supported"))
        }
        guard client.allows(grantType: "authorization_code"), client.registration.responseTypes.contains("code") else {
            throw refuse(.unauthorizedClient("the client is not registered for the authorization code flow"))
        }
        if let mode = query["response_mode"], mode != "query" { throw refuse(.invalidRequest("only response_mode=query is supported")) }

        guard let scopeText = query["scope"] else { throw refuse(.invalidScope("scope is missing")) }
        guard scopeText.unicodeScalars.allSatisfy({ $0 == " " || Self.isScopeCharacter($0) }) else {
            throw refuse(.invalidScope("scope contains characters RFC 6749 §3.3 does not allow"))
        }
        let scope = Scope(parsing: scopeText)
        guard !scope.values.isEmpty, client.registration.scope.contains(scope) else {
            throw refuse(.invalidScope("the requested scope is not registered for this client"))
        }

        // PKCE S256 for every client, public or confidential (I7, RFC 9700 §2.1.1).
        guard let challenge = query["code_challenge"] else { throw refuse(.invalidRequest("code_challenge is required (PKCE, S256)")) }
        guard let method = query["code_challenge_method"] else {
            throw refuse(.invalidRequest("code_challenge_method is required and must be S256"))
        }
        guard method == "S256" else { throw refuse(.invalidRequest("code_challenge_method must be S256; plain is refused")) }
        guard challenge.utf8.count == 43, challenge.unicodeScalars.allSatisfy(Self.isBase64URL) else {
            throw refuse(.invalidRequest("code_challenge must be the 43-character base64url SHA-256 of the verifier"))
        }

        let nonce = query["nonce"]
        if let nonce, nonce.count > maximumOpaqueLength { throw refuse(.invalidRequest("nonce is longer than \(maximumOpaqueLength) characters")) }
        let maxAge: Int?
        if let text = query["max_age"] {
            guard text.utf8.count <= 10, text.utf8.allSatisfy({ (48...57).contains($0) }), let value = Int(text) else {
                throw refuse(.invalidRequest("max_age must be a non-negative integer"))
            }
            maxAge = value
        } else {
            maxAge = nil
        }
        let prompts = Set((query["prompt"] ?? "").split(separator: " ").map(String.init))
        guard prompts.isSubset(of: ["none", "login", "consent", "select_account"]) else {
            throw refuse(.invalidRequest("prompt has an unsupported value"))
        }
        if prompts.contains("none"), prompts.count > 1 {
            throw refuse(.invalidRequest("prompt=none cannot be combined with other values"))
        }
        let loginHint = query["login_hint"]
        if let loginHint, loginHint.count > maximumOpaqueLength {
            throw refuse(.invalidRequest("login_hint is longer than \(maximumOpaqueLength) characters"))
        }
        let acrText = query["acr_values"]
        if let acrText, acrText.count > maximumOpaqueLength {
            throw refuse(.invalidRequest("acr_values is longer than \(maximumOpaqueLength) characters"))
        }
        let resources: Resources?
        do throws(OAuthError) {
            resources = try ResourceIndicators.parse(query.values["resource"] ?? [])
        } catch {
            throw refuse(error)
        }
        if let resources, !permits(resources, client) {
            throw refuse(.invalidTarget("a requested resource is not registered for this client"))
        }
        return AuthorizationRequest(
            clientID: client.id, redirectURI: redirectURI, scope: scope, state: state, codeChallenge: challenge, nonce: nonce,
            maxAge: maxAge, receivedAt: now, prompt: prompts, resources: resources, loginHint: loginHint,
            acrValues: acrText.map { $0.split(separator: " ").map(String.init) }
        )
    }

    /// NQCHAR of RFC 6749 Appendix A.
    private static func isScopeCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x21 || (0x23...0x5B).contains(scalar.value) || (0x5D...0x7E).contains(scalar.value)
    }

    private static func isBase64URL(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
    }
}
