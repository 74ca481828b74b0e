import LedgerDomain

/// Client metadata as submitted for registration (RFC 7591 §2), from the admin API's JSON or
/// the CLI's flags. Every field is optional here; ``validated()`` applies the rules and
/// defaults. Unknown JSON members are ignored (RFC 7591 §3.1).
package struct ClientMetadata: Sendable, Hashable, Decodable {
    /// Per-client lifetimes in seconds (`tokenledger_lifetimes`); absent keys keep the defaults.
    package struct LifetimeSeconds: Sendable, Hashable, Codable {
        /// `access_token_seconds`.
        package var accessToken: Int64?
        /// `id_token_seconds`.
        package var idToken: Int64?
        /// `authorization_code_seconds` (at most 60).
        package var authorizationCode: Int64?
        /// `refresh_token_idle_seconds`.
        package var refreshTokenIdle: Int64?
        /// `refresh_token_absolute_seconds`.
        package var refreshTokenAbsolute: Int64?
        /// `refresh_grace_seconds` (0 to 300).
        package var refreshGrace: Int64?

        /// Creates lifetimes; nil keeps a default.
        package init(
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

    /// `client_name`.
    package var clientName: String?
    /// `redirect_uris`: required with the authorization_code grant type.
    package var redirectURIs: [String]?
    /// `post_logout_redirect_uris` (RP-Initiated Logout).
    package var postLogoutRedirectURIs: [String]?
    /// `grant_types`; default `["authorization_code"]`.
    package var grantTypes: [String]?
    /// `response_types`; default `["code"]` with the authorization_code grant type.
    package var responseTypes: [String]?
    /// `token_endpoint_auth_method`; default `client_secret_basic`.
    package var tokenEndpointAuthMethod: String?
    /// Space-separated scope values the client may request.
    package var scope: String?
    /// `tokenledger_lifetimes`.
    package var lifetimes: LifetimeSeconds?
    /// `id_token_signed_response_alg`: RS256 (default) or ES256.
    package var idTokenSignedResponseAlg: String?
    /// `reuse_policy`: `grant` (default) or `subject`.
    package var reusePolicy: String?
    /// `fingerprint_policy`: `record` (default), `revoke` or `reauthenticate`.
    package var fingerprintPolicy: String?
    /// `resources`: the resource indicators (RFC 8707) the client may ask tokens for.
    package var resources: [String]?
    /// `skip_consent`: a first-party client, never sent to the consent app.
    package var skipConsent: Bool?

    /// Creates metadata; nil fields take their defaults.
    package init(
        clientName: String? = nil, redirectURIs: [String]? = nil, postLogoutRedirectURIs: [String]? = nil,
        grantTypes: [String]? = nil, responseTypes: [String]? = nil, tokenEndpointAuthMethod: String? = nil,
        scope: String? = nil, lifetimes: LifetimeSeconds? = nil, idTokenSignedResponseAlg: String? = nil, reusePolicy: String? = nil,
        fingerprintPolicy: String? = nil, resources: [String]? = nil, skipConsent: Bool? = nil
    ) {
        self.clientName = clientName
        self.redirectURIs = redirectURIs
        self.postLogoutRedirectURIs = postLogoutRedirectURIs
        self.grantTypes = grantTypes
        self.responseTypes = responseTypes
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.scope = scope
        self.lifetimes = lifetimes
        self.idTokenSignedResponseAlg = idTokenSignedResponseAlg
        self.reusePolicy = reusePolicy
        self.fingerprintPolicy = fingerprintPolicy
        self.resources = resources
        self.skipConsent = skipConsent
    }

    enum CodingKeys: String, CodingKey {
        case clientName = "client_name", redirectURIs = "redirect_uris", postLogoutRedirectURIs = "post_logout_redirect_uris"
        case grantTypes = "grant_types", responseTypes = "response_types"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method", scope, lifetimes = "tokenledger_lifetimes"
        case idTokenSignedResponseAlg = "id_token_signed_response_alg", reusePolicy = "reuse_policy"
        case fingerprintPolicy = "fingerprint_policy", resources, skipConsent = "skip_consent"
    }
}

/// Registration metadata after validation: defaults applied, every rule checked.
package struct ValidClientMetadata: Sendable, Hashable {
    /// The client's display name.
    package var clientName: String?
    /// Exact-match redirect URIs.
    package var redirectURIs: [String]
    /// Exact-match post-logout redirect URIs.
    package var postLogoutRedirectURIs: [String]
    /// Grant types, without duplicates.
    package var grantTypes: [String]
    /// Response types (`code` or none).
    package var responseTypes: [String]
    /// `client_secret_basic`, `client_secret_post` or `none`.
    package var tokenEndpointAuthMethod: String
    /// The scope the client may request.
    package var scope: Scope
    /// Lifetimes with the defaults applied.
    package var lifetimes: Lifetimes
    /// The ID tokens' signing algorithm, RS256 unless registered otherwise.
    package var idTokenSignedResponseAlg: String
    /// What a reused refresh token revokes: `grant` or `subject`.
    package var reusePolicy: String
    /// What a refresh from another fingerprint does.
    package var fingerprintPolicy: FingerprintPolicy
    /// The resource indicators the client may ask for; nil when none.
    package var resources: Resources?
    /// Whether the consent app is skipped for this client.
    package var skipConsent: Bool

    /// Whether the client authenticates with a secret (any method but `none`).
    package var isConfidential: Bool { tokenEndpointAuthMethod != "none" }
}
