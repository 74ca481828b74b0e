import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LedgerService

/// Cross-site request forgery protection of the login form: a double-submit cookie bound by
/// an HMAC. The browser holds a random value in an HttpOnly, SameSite=Lax cookie; the form
/// carries HMAC(key, value). A forged cross-site POST can neither read the cookie nor compute
/// the token, and a token from another browser does not match this browser's cookie.
package struct LoginCSRF: Sendable {
    /// How long the cookie lives.
    package static let cookieLifetimeSeconds = 3600

    private let cookie: SignedCookie

    /// Creates the guard; its HMAC key is derived from the request-sealing key.
    package init(sealingKey: SymmetricKey, issuer: String) {
        cookie = SignedCookie(
            sealingKey: sealingKey, issuer: issuer, name: "tokenledger_login", purpose: "tokenledger login csrf v1",
            maxAge: Self.cookieLifetimeSeconds
        )
    }

    /// The cookie's name.
    package var cookieName: String { cookie.name }

    /// The browser's well-formed cookie value, if it sent one.
    package func cookieValue(in request: Request) -> String? {
        guard let value = cookie.value(in: request), value.utf8.count == 43,
            value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
        else { return nil }
        return value
    }

    /// The cookie value to use for a new form: the browser's own when it has one (so several
    /// open tabs stay valid), else a new random one.
    package func cookieValue(for request: Request) -> String {
        cookieValue(in: request) ?? SecretDigest.mint()
    }

    /// The form token for a cookie value.
    package func token(for cookieValue: String) -> String {
        cookie.mac(cookieValue)
    }

    /// Whether the submitted form token matches the browser's cookie (constant time).
    package func verify(_ request: Request, token: String?) -> Bool {
        guard let value = cookieValue(in: request), let token, token.utf8.count == 43 else { return false }
        return cookie.isValid(mac: token, for: value)
    }

    /// The `Set-Cookie` header value: HttpOnly, SameSite=Lax, Secure when the issuer is https.
    package func setCookie(_ value: String) -> String {
        cookie.setCookie(value)
    }
}
