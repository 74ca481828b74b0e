import LedgerDomain

/// One built-in login user from the users file (docs/design.md#configuration-and-operations). The password exists only as a bcrypt
/// hash, which `description` never shows.
package struct LoginUser: Sendable, Hashable, CustomStringConvertible {
    /// What the user types in the login form.
    package var username: String
    /// The stable `sub` of every token issued for the user.
    package var subject: Subject
    /// `$2a$`/`$2b$`/`$2y$` bcrypt hash.
    package var passwordHash: String
    /// Extra claims for ID tokens and userinfo (`name`, `email`, `email_verified`, …).
    package var claims: [String: ClaimValue]

    /// Creates a user; ``UserDirectory`` validates it.
    package init(username: String, subject: Subject, passwordHash: String, claims: [String: ClaimValue] = [:]) {
        self.username = username
        self.subject = subject
        self.passwordHash = passwordHash
        self.claims = claims
    }

    package var description: String { "LoginUser(\(username), sub \(subject))" }
}
