import LedgerDomain

/// A client as the admin API shows it: the RFC 7591 §3.2.1 client information response. The
/// secret appears only in the answer to registration; its hash never appears.
struct ClientInformation: Encodable {
    var clientID: String
    var clientSecret: String?
    var clientIDIssuedAt: Int64
    var clientSecretExpiresAt: Int64?
    var clientName: String?
    var redirectURIs: [String]
    var postLogoutRedirectURIs: [String]
    var grantTypes: [String]
    var responseTypes: [String]
    var tokenEndpointAuthMethod: String
    var scope: String
    var lifetimes: Lifetimes
    var idTokenSignedResponseAlg: String
    var reusePolicy: String
    var fingerprintPolicy: String
    var resources: [String]
    var skipConsent: Bool
    var active: Bool?

    /// The view of a client; `secret` only right after registration, `active` on reads.
    init(_ client: Client, secret: String? = nil, showActive: Bool = true) {
        let r = client.registration
        clientID = r.clientID.rawValue
        clientSecret = secret
        clientIDIssuedAt = r.at.seconds
        // Secrets do not expire (RFC 7591: 0 means never); only confidential clients have one.
        clientSecretExpiresAt = client.isConfidential ? 0 : nil
        clientName = r.clientName
        redirectURIs = r.redirectURIs
        postLogoutRedirectURIs = r.postLogoutRedirectURIs
        grantTypes = r.grantTypes
        responseTypes = r.responseTypes
        tokenEndpointAuthMethod = r.tokenEndpointAuthMethod
        scope = r.scope.description
        lifetimes = r.lifetimes
        idTokenSignedResponseAlg = r.idTokenAlgorithm
        reusePolicy = r.reuseRevokesSubject ? "subject" : "grant"
        fingerprintPolicy = (r.fingerprintPolicy ?? .record).rawValue
        resources = r.resources?.values ?? []
        skipConsent = r.skipConsent ?? false
        active = showActive ? client.active : nil
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "client_id", clientSecret = "client_secret", clientIDIssuedAt = "client_id_issued_at"
        case clientSecretExpiresAt = "client_secret_expires_at", clientName = "client_name", redirectURIs = "redirect_uris"
        case postLogoutRedirectURIs = "post_logout_redirect_uris", grantTypes = "grant_types"
        case responseTypes = "response_types", tokenEndpointAuthMethod = "token_endpoint_auth_method", scope
        case lifetimes = "tokenledger_lifetimes", idTokenSignedResponseAlg = "id_token_signed_response_alg"
        case reusePolicy = "reuse_policy", fingerprintPolicy = "fingerprint_policy", resources
        case skipConsent = "skip_consent", active
    }
}
