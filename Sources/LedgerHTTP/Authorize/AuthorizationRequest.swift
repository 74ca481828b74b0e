import LedgerDomain

/// A validated authorization request (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1): what the
/// login form carries, sealed, from `GET /authorize` to its `POST`, and what the code records.
package struct AuthorizationRequest: Sendable, Hashable, Codable {
    /// The requesting client.
    package var clientID: ClientID
    /// Exactly one of the client's registered redirect URIs.
    package var redirectURI: String
    /// The scope asked for, within the client's registered scope.
    package var scope: Scope
    /// The client's `state`, returned unchanged.
    package var state: String?
    /// The PKCE S256 challenge (required for every client).
    package var codeChallenge: String
    /// The OIDC `nonce`, bound into the ID token.
    package var nonce: String?
    /// OIDC `max_age` in seconds: a session whose login is older needs the form again.
    package var maxAge: Int?
    /// OIDC `prompt` values: `none` (never show the form), `login` (always show it).
    package var prompt: Set<String>
    /// When the request was validated; the sealed form expires 10 minutes later.
    package var receivedAt: Instant
    /// The resource indicators (RFC 8707), each one the client may ask for; nil when none.
    package var resources: Resources?
    /// OIDC `login_hint`, for a delegated login app.
    package var loginHint: String?
    /// OIDC `acr_values`, for a delegated login app.
    package var acrValues: [String]?

    /// Creates a request.
    package init(
        clientID: ClientID, redirectURI: String, scope: Scope, state: String?, codeChallenge: String, nonce: String?,
        maxAge: Int?, receivedAt: Instant, prompt: Set<String> = [], resources: Resources? = nil, loginHint: String? = nil,
        acrValues: [String]? = nil
    ) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scope = scope
        self.state = state
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.maxAge = maxAge
        self.receivedAt = receivedAt
        self.prompt = prompt
        self.resources = resources
        self.loginHint = loginHint
        self.acrValues = acrValues
    }

    /// The request as a delegated login flow keeps it.
    package var parameters: AuthorizationParameters {
        AuthorizationParameters(
            clientID: clientID, redirectURI: redirectURI, scope: scope, state: state, codeChallenge: codeChallenge, nonce: nonce,
            maxAge: maxAge, prompt: Array(prompt), resources: resources, loginHint: loginHint, acrValues: acrValues
        )
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", redirectURI = "redirect_uri", scope, state, codeChallenge = "code_challenge", nonce
        case maxAge = "max_age", receivedAt = "received_at", prompt, resources = "resource"
        case loginHint = "login_hint", acrValues = "acr_values"
    }
}
