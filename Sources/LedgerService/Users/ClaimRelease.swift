import LedgerDomain

/// Which user claims a grant's scope releases to `/userinfo` and ID tokens (OIDC Core §5.4):
/// each standard claim (§5.1) only with its scope (`profile`, `email`, `address`, `phone`);
/// any other claim the users file or a delegated login's apps supply with `openid` alone. The
/// claims the service sets itself never come from there.
package enum ClaimRelease {
    /// The standard claims each scope releases (OIDC Core §5.4).
    package static let claimsByScope: [String: [String]] = [
        "profile": [
            "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username", "profile", "picture",
            "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at",
        ],
        "email": ["email", "email_verified"],
        "address": ["address"],
        "phone": ["phone_number", "phone_number_verified"],
    ]

    /// Every standard claim.
    static let standardClaims = Set(claimsByScope.values.joined())

    /// The claims of `claims` that `scope` releases.
    package static func released(_ claims: [String: JSONValue], scope: Scope) -> [String: JSONValue] {
        let allowed = Set(scope.values.flatMap { claimsByScope[$0] ?? [] })
        return claims.filter { name, _ in
            !UserDirectory.reservedClaims.contains(name) && (allowed.contains(name) || !standardClaims.contains(name))
        }
    }
}
