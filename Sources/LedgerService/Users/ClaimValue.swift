import LedgerDomain

/// A JSON value of a user's claims (`name`, `email`, `email_verified`, `address`, …), kept
/// exactly as configured so ID tokens and userinfo can echo it.
package typealias ClaimValue = JSONValue
