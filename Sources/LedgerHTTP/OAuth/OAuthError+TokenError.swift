import LedgerDomain
import LedgerService

extension OAuthError {
    /// The one mapping from a token use case's failure to its wire error (RFC 6749 §5.2,
    /// RFC 7009, RFC 7662). `basicAttempted`: the client authenticated with an `Authorization:
    /// Basic` header, so an `invalid_client` answers 401 with a Basic challenge.
    init(_ error: TokenError, basicAttempted: Bool) {
        switch error.code {
        case .refused: self = error.refusal.map(OAuthError.init(grantRefusal:)) ?? .invalidGrant("the grant cannot be used")
        case .invalidClient, .registrationChanged: self = .invalidClient(error.detail, basicAttempted: basicAttempted)
        case .unauthorizedClient: self = .unauthorizedClient(error.detail)
        case .invalidScope: self = .invalidScope(error.detail)
        case .invalidTarget: self = .invalidTarget(error.detail)
        case .invalidRequest: self = .invalidRequest(error.detail)
        default: self = .temporarilyUnavailable(error.detail)
        }
    }

    /// A grant refusal as the token endpoint answers it. Descriptions are fixed texts: nothing
    /// of the presented credential is echoed (I6).
    init(grantRefusal refusal: GrantError) {
        switch refusal.code {
        case .scopeExceeded: self = .invalidScope("the requested scope exceeds what was granted")
        case .targetNotGranted: self = .invalidTarget("a requested resource was not granted")
        case .unknown: self = .invalidGrant("the grant is unknown")
        case .expired: self = .invalidGrant("the grant has expired")
        case .codeReplayed: self = .invalidGrant("the authorization code was already used; its tokens are revoked")
        case .clientMismatch: self = .invalidGrant("the grant was issued to another client")
        case .redirectMismatch: self = .invalidGrant("redirect_uri does not match the authorization request")
        case .pkceMismatch: self = .invalidGrant("code_verifier does not match the code_challenge")
        case .pkceRequired: self = .invalidGrant("the code was issued without a PKCE code_challenge")
        case .reuseDetected: self = .invalidGrant("the refresh token was already used; the grant is revoked")
        case .fingerprintChanged: self = .invalidGrant("the refresh came from another client fingerprint; sign in again")
        case .revoked: self = .invalidGrant("the grant was revoked")
        default: self = .invalidGrant("the grant cannot be used")
        }
    }
}
