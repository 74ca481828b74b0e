import Foundation
import LedgerDomain

extension ClientMetadata {
    /// Grant types a client may register.
    package static let supportedGrantTypes: Set<String> = ["authorization_code", "refresh_token", "client_credentials"]
    /// Response types a client may register.
    package static let supportedResponseTypes: Set<String> = ["code"]
    /// Client authentication methods at the token endpoint.
    package static let supportedAuthMethods: Set<String> = ["client_secret_basic", "client_secret_post", "none"]

    /// Applies the defaults and checks every rule (RFC 7591 §2, OAuth 2.0 Security BCP):
    /// redirect URIs absolute, fragment-free and https (or http on loopback), known grant and
    /// response types that agree with each other, a known auth method (`none` never with
    /// `client_credentials`), a well-formed scope and sane lifetimes.
    package func validated() throws(ClientRegistrationError) -> ValidClientMetadata {
        let grantTypes = Self.unique(self.grantTypes ?? ["authorization_code"])
        guard !grantTypes.isEmpty else { throw .invalidClientMetadata("grant_types must not be empty") }
        for type in grantTypes where !Self.supportedGrantTypes.contains(type) {
            throw .invalidClientMetadata("grant_types contains an unsupported grant type")
        }
        let usesCode = grantTypes.contains("authorization_code")
        let responseTypes = Self.unique(self.responseTypes ?? (usesCode ? ["code"] : []))
        for type in responseTypes where !Self.supportedResponseTypes.contains(type) {
            throw .invalidClientMetadata("response_types contains an unsupported response type; only code is supported")
        }
        guard usesCode == responseTypes.contains("code") else {
            throw .invalidClientMetadata("response_types code and grant_types authorization_code go together")
        }

        let method = tokenEndpointAuthMethod ?? "client_secret_basic"
        guard Self.supportedAuthMethods.contains(method) else {
            throw .invalidClientMetadata("token_endpoint_auth_method must be client_secret_basic, client_secret_post or none")
        }
        if method == "none" && grantTypes.contains("client_credentials") {
            throw .invalidClientMetadata("client_credentials needs a confidential client; token_endpoint_auth_method none is not allowed")
        }

        let redirectURIs = Self.unique(self.redirectURIs ?? [])
        if usesCode && redirectURIs.isEmpty {
            throw .invalidRedirectURI("redirect_uris is required for the authorization_code grant type")
        }
        try Self.checkRedirectURIs(redirectURIs, field: "redirect_uris", privateUseSchemes: method == "none")
        let postLogout = Self.unique(postLogoutRedirectURIs ?? [])
        try Self.checkRedirectURIs(postLogout, field: "post_logout_redirect_uris", privateUseSchemes: method == "none")

        if let clientName, clientName.isEmpty || clientName.count > 200 {
            throw .invalidClientMetadata("client_name must have 1 to 200 characters")
        }
        // Asymmetric only: never none or HS* (I7). RS256 is OpenID Connect Registration's default.
        let idTokenAlgorithm = idTokenSignedResponseAlg ?? "RS256"
        guard KeyRing.idTokenAlgorithms.contains(idTokenAlgorithm) else {
            throw .invalidClientMetadata("id_token_signed_response_alg must be one of " + KeyRing.idTokenAlgorithms.joined(separator: ", "))
        }
        let reusePolicy = self.reusePolicy ?? "grant"
        guard ["grant", "subject"].contains(reusePolicy) else { throw .invalidClientMetadata("reuse_policy must be grant or subject") }
        guard let fingerprintPolicy = FingerprintPolicy(rawValue: self.fingerprintPolicy ?? "record") else {
            throw .invalidClientMetadata("fingerprint_policy must be record, revoke or reauthenticate")
        }
        return ValidClientMetadata(
            clientName: clientName, redirectURIs: redirectURIs, postLogoutRedirectURIs: postLogout, grantTypes: grantTypes,
            responseTypes: responseTypes, tokenEndpointAuthMethod: method, scope: try Self.checkScope(scope ?? "openid"),
            lifetimes: try (lifetimes ?? LifetimeSeconds()).validated(), idTokenSignedResponseAlg: idTokenAlgorithm,
            reusePolicy: reusePolicy, fingerprintPolicy: fingerprintPolicy, resources: try Self.checkResources(resources),
            skipConsent: skipConsent ?? false
        )
    }

    /// Checks `resources` (RFC 8707 §2): at most 100 absolute URIs without a fragment; nil when
    /// none is given.
    static func checkResources(_ uris: [String]?) throws(ClientRegistrationError) -> Resources? {
        guard let uris, !uris.isEmpty else { return nil }
        guard uris.count <= 100 else { throw .invalidClientMetadata("resources must list at most 100 URIs") }
        for (index, uri) in uris.enumerated() where !Resources.isIndicator(uri) {
            throw .invalidClientMetadata("resources[\(index)] must be an absolute URI without a fragment")
        }
        return Resources(uris)
    }

    /// Checks redirection URIs: absolute, no fragment, https or http on a loopback host; with
    /// `privateUseSchemes` (public clients: native apps, RFC 8252 §7.1) also a private-use
    /// scheme in reverse-domain form, e.g. `com.example.app:/callback`.
    static func checkRedirectURIs(_ uris: [String], field: String, privateUseSchemes: Bool) throws(ClientRegistrationError) {
        for (index, text) in uris.enumerated() {
            let name = "\(field)[\(index)]"
            guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else {
                throw .invalidRedirectURI("\(name) must be an absolute URI")
            }
            guard url.fragment == nil, !text.contains("#") else { throw .invalidRedirectURI("\(name) must not contain a fragment") }
            guard url.user == nil, url.password == nil else { throw .invalidRedirectURI("\(name) must not contain user information") }
            if scheme.contains("."), !["http", "https"].contains(scheme) {
                guard privateUseSchemes else {
                    throw .invalidRedirectURI("\(name): private-use URI schemes (RFC 8252 §7.1) are for public native clients (token_endpoint_auth_method none)")
                }
                guard !url.path.isEmpty else { throw .invalidRedirectURI("\(name) must have a path") }
                continue
            }
            guard let host = url.host, !host.isEmpty else { throw .invalidRedirectURI("\(name) must be an absolute URI") }
            switch scheme {
            case "https": continue
            case "http" where ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host.lowercased()): continue
            default: throw .invalidRedirectURI("\(name) must use https (http only on localhost, 127.0.0.1 or [::1]; a private-use scheme such as com.example.app: only for public clients)")
            }
        }
    }

    /// Checks a space-separated scope (RFC 6749 §3.3 characters).
    static func checkScope(_ text: String) throws(ClientRegistrationError) -> Scope {
        let scope = Scope(parsing: text)
        guard !scope.values.isEmpty, text.count <= 1000 else { throw .invalidClientMetadata("scope must list at least one value") }
        for value in scope.values {
            guard value.unicodeScalars.allSatisfy({ $0.value == 0x21 || (0x23...0x5B).contains($0.value) || (0x5D...0x7E).contains($0.value) })
            else { throw .invalidClientMetadata("scope contains a character RFC 6749 does not allow") }
        }
        return scope
    }

    /// The values in first-seen order, without duplicates.
    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}

extension ClientMetadata.LifetimeSeconds {
    /// The lifetimes with defaults applied; every lifetime positive, the code's at most 60 s,
    /// the access token's at most an hour, the ID token's at most a day,
    /// the grace window not negative and the refresh idle limit within the absolute one.
    func validated() throws(ClientRegistrationError) -> Lifetimes {
        let standard = Lifetimes.standard
        func positive(_ value: Int64?, _ key: String, _ fallback: Duration) throws(ClientRegistrationError) -> Duration {
            guard let value else { return fallback }
            guard value > 0, value <= 366 * 24 * 3600 else {
                throw .invalidClientMetadata("tokenledger_lifetimes.\(key) must be between 1 and 31622400")
            }
            return .seconds(value)
        }
        if let access = accessToken, access > Lifetimes.maximumAccessToken.components.seconds {
            throw .invalidClientMetadata("tokenledger_lifetimes.access_token_seconds must be at most \(Lifetimes.maximumAccessToken.components.seconds)")
        }
        if let id = idToken, id > Lifetimes.maximumIDToken.components.seconds {
            throw .invalidClientMetadata("tokenledger_lifetimes.id_token_seconds must be at most \(Lifetimes.maximumIDToken.components.seconds)")
        }
        if let code = authorizationCode, code > 60 {
            throw .invalidClientMetadata("tokenledger_lifetimes.authorization_code_seconds must be at most 60")
        }
        if let grace = refreshGrace, grace < 0 || grace > 300 {
            throw .invalidClientMetadata("tokenledger_lifetimes.refresh_grace_seconds must be between 0 and 300")
        }
        let lifetimes = Lifetimes(
            accessToken: try positive(accessToken, "access_token_seconds", standard.accessToken),
            idToken: try positive(idToken, "id_token_seconds", standard.idToken),
            authorizationCode: try positive(authorizationCode, "authorization_code_seconds", standard.authorizationCode),
            refreshTokenIdle: try positive(refreshTokenIdle, "refresh_token_idle_seconds", standard.refreshTokenIdle),
            refreshTokenAbsolute: try positive(refreshTokenAbsolute, "refresh_token_absolute_seconds", standard.refreshTokenAbsolute),
            refreshGrace: refreshGrace.map { .seconds($0) } ?? standard.refreshGrace
        )
        guard lifetimes.refreshTokenIdle <= lifetimes.refreshTokenAbsolute else {
            throw .invalidClientMetadata("tokenledger_lifetimes.refresh_token_idle_seconds must not exceed refresh_token_absolute_seconds")
        }
        return lifetimes
    }
}
