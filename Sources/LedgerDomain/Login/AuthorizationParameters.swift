/// What a client asked for at `/authorize`, validated: kept by a delegated login flow from the
/// redirect to the platform's login app until the code is issued.
public struct AuthorizationParameters: Hashable, Sendable, Codable {
    public var clientID: ClientID
    /// One of the client's registered redirect URIs.
    public var redirectURI: String
    /// The scope asked for, within the client's registration.
    public var scope: Scope
    /// The client's `state`, returned unchanged.
    public var state: String?
    /// The PKCE S256 challenge.
    public var codeChallenge: String
    /// The OIDC `nonce`.
    public var nonce: String?
    /// OIDC `max_age` in seconds.
    public var maxAge: Int?
    /// OIDC `prompt` values, sorted.
    public var prompt: [String]
    /// The resource indicators (RFC 8707).
    public var resources: Resources?
    /// OIDC `login_hint`.
    public var loginHint: String?
    /// OIDC `acr_values`, in the order asked.
    public var acrValues: [String]?

    public init(
        clientID: ClientID, redirectURI: String, scope: Scope, state: String?, codeChallenge: String, nonce: String?,
        maxAge: Int?, prompt: [String], resources: Resources?, loginHint: String?, acrValues: [String]?
    ) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scope = scope
        self.state = state
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.maxAge = maxAge
        self.prompt = prompt.sorted()
        self.resources = resources
        self.loginHint = loginHint
        self.acrValues = acrValues
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", redirectURI = "redirect_uri", scope, state, codeChallenge = "code_challenge", nonce
        case maxAge = "max_age", prompt, resources = "resource", loginHint = "login_hint", acrValues = "acr_values"
    }
}
