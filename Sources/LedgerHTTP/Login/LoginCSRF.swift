import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Cross-site request forgery protection of the login form: a double-submit cookie bound by
/// an HMAC. The browser holds a random value in an HttpOnly, SameSite=Lax cookie; the form
/// carries HMAC(key, value). A forged cross-site POST can neither read the cookie nor compute
/// the token, and a token from another browser does not match this browser's cookie.
public struct LoginCSRF: Sendable {
    /// How long the cookie lives.
    public static let cookieLifetimeSeconds = 3600

    private let key: SymmetricKey
    /// Whether the issuer is https: then the cookie is `Secure` and `__Host-` prefixed.
    private let secure: Bool

    /// Creates the guard; its HMAC key is derived from the request-sealing key.
    public init(sealingKey: SymmetricKey, issuer: String) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: sealingKey, info: Data("tokenledger login csrf v1".utf8), outputByteCount: 32)
        secure = issuer.lowercased().hasPrefix("https://")
    }

    /// The cookie's name.
    public var cookieName: String { secure ? "__Host-tokenledger_login" : "tokenledger_login" }

    /// The browser's well-formed cookie value, if it sent one.
    public func cookieValue(in request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, value.utf8.count == 43,
            value.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
        else { return nil }
        return value
    }

    /// The cookie value to use for a new form: the browser's own when it has one (so several
    /// open tabs stay valid), else a new random one.
    public func cookieValue(for request: Request) -> String {
        cookieValue(in: request) ?? SecretDigest.mint()
    }

    /// The form token for a cookie value.
    public func token(for cookieValue: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(cookieValue.utf8), using: key)).base64URLEncoded
    }

    /// Whether the submitted form token matches the browser's cookie (constant time).
    public func verify(_ request: Request, token: String?) -> Bool {
        guard let value = cookieValue(in: request), let token, let presented = Self.decode(token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(presented, authenticating: Data(value.utf8), using: key)
    }

    /// The `Set-Cookie` header value: HttpOnly, SameSite=Lax, Secure when the issuer is https.
    public func setCookie(_ value: String) -> String {
        "\(cookieName)=\(value); Path=/; Max-Age=\(Self.cookieLifetimeSeconds); HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    private static func decode(_ token: String) -> Data? {
        guard token.utf8.count == 43 else { return nil }
        return Data(base64Encoded: token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=")
    }
}
