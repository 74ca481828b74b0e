import LedgerDomain

extension OAuthError {
    /// The one mapping from a grant refusal to the token endpoint's error (RFC 6749 §5.2).
    /// Descriptions are fixed texts: nothing of the presented credential is echoed (I6).
    init(grantRefusal refusal: GrantError) {
        switch refusal.code {
        case .scopeExceeded: self = .invalidScope("the requested scope exceeds what was granted")
        case .unknown: self = .invalidGrant("the grant is unknown")
        case .expired: self = .invalidGrant("the grant has expired")
        case .codeReplayed: self = .invalidGrant("the authorization code was already used; its tokens are revoked")
        case .clientMismatch: self = .invalidGrant("the grant was issued to another client")
        case .redirectMismatch: self = .invalidGrant("redirect_uri does not match the authorization request")
        case .pkceMismatch: self = .invalidGrant("code_verifier does not match the code_challenge")
        case .reuseDetected: self = .invalidGrant("the refresh token was already used; the grant is revoked")
        case .revoked: self = .invalidGrant("the grant was revoked")
        default: self = .invalidGrant("the grant cannot be used")
        }
    }
}
