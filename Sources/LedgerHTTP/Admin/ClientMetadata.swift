import LedgerDomain

/// Client metadata as submitted for registration (RFC 7591 §2), from the admin API's JSON or
/// the CLI's flags. Every field is optional here; ``validated()`` applies the rules and
/// defaults. Unknown JSON members are ignored (RFC 7591 §3.1).
public struct ClientMetadata: Sendable, Hashable, Decodable {
    /// Per-client lifetimes in seconds (`tokenledger_lifetimes`); absent keys keep the defaults.
    public struct LifetimeSeconds: Sendable, Hashable, Codable {
        public var accessToken: Int64?
        public var idToken: Int64?
        public var authorizationCode: Int64?
        public var refreshTokenIdle: Int64?
        public var refreshTokenAbsolute: Int64?
        public var refreshGrace: Int64?

        /// Creates lifetimes; nil keeps a default.
        public init(
            accessToken: Int64? = nil, idToken: Int64? = nil, authorizationCode: Int64? = nil,
            refreshTokenIdle: Int64? = nil, refreshTokenAbsolute: Int64? = nil, refreshGrace: Int64? = nil
        ) {
            self.accessToken = accessToken
            self.idToken = idToken
            self.authorizationCode = authorizationCode
            self.refreshTokenIdle = refreshTokenIdle
            self.refreshTokenAbsolute = refreshTokenAbsolute
            self.refreshGrace = refreshGrace
        }

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token_seconds", idToken = "id_token_seconds"
            case authorizationCode = "authorization_code_seconds", refreshTokenIdle = "refresh_token_idle_seconds"
            case refreshTokenAbsolute = "refresh_token_absolute_seconds", refreshGrace = "refresh_grace_seconds"
        }
    }

    public var clientName: String?
    public var redirectURIs: [String]?
    public var postLogoutRedirectURIs: [String]?
    public var grantTypes: [String]?
    public var responseTypes: [String]?
    public var tokenEndpointAuthMethod: String?
    /// Space-separated scope values the client may request.
    public var scope: String?
    public var lifetimes: LifetimeSeconds?

    /// Creates metadata; nil fields take their defaults.
    public init(
        clientName: String? = nil, redirectURIs: [String]? = nil, postLogoutRedirectURIs: [String]? = nil,
        grantTypes: [String]? = nil, responseTypes: [String]? = nil, tokenEndpointAuthMethod: String? = nil,
        scope: String? = nil, lifetimes: LifetimeSeconds? = nil
    ) {
        self.clientName = clientName
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.grantTypes = grantTypes
        self.responseTypes = responseTypes
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.scope = scope
        self.lifetimes = lifetimes
    }

    enum CodingKeys: String, CodingKey {
        case clientName = "client_name", redirectURIs = "redirect_uris", postLogoutRedirectURIs = "post_logout_redirect_uris"
        case grantTypes = "grant_types", responseTypes = "response_types"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method", scope, lifetimes = "tokenledger_lifetimes"
    }
}

/// Registration metadata after validation: defaults applied, every rule checked.
public struct ValidClientMetadata: Sendable, Hashable {
    public var clientName: String?
    public var redirectURIs: [String]
    public var postLogoutRedirectURIs: [String]
    public var grantTypes: [String]
    public var responseTypes: [String]
    public var tokenEndpointAuthMethod: String
    public var scope: Scope
    public var lifetimes: Lifetimes

    /// Whether the client authenticates with a secret (any method but `none`).
    public var isConfidential: Bool { tokenEndpointAuthMethod != "none" }
}
