import WebEncoding
import Crypto
import Foundation
import Hummingbird
import LedgerService

/// A cookie whose value the service can authenticate: an HMAC-SHA256 key derived from the
/// request-sealing key for one purpose, and the cookie's attributes. HttpOnly, SameSite=Lax,
/// `Path=/`; `Secure` and `__Host-` prefixed when the issuer is https. Both the OP session
/// cookie and the login form's CSRF cookie are built on it.
struct SignedCookie: Sendable {
    /// The cookie's name (with `__Host-` when the issuer is https).
    let name: String
    private let key: SymmetricKey
    private let secure: Bool
    private let maxAge: Int?

    /// A cookie named `name` (prefixed when secure), keyed for `purpose` (the HKDF info, which
    /// keeps the keys of different cookies apart), living `maxAge` seconds or the browser session.
    init(sealingKey: SymmetricKey, issuer: String, name: String, purpose: String, maxAge: Int? = nil) {
        secure = issuer.lowercased().hasPrefix("https://")
        self.name = secure ? "__Host-" + name : name
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: sealingKey, info: Data(purpose.utf8), outputByteCount: 32)
        self.maxAge = maxAge
    }

    /// The browser's value of this cookie, if it sent one of at most `limit` bytes.
    func value(in request: Request, limit: Int = 200) -> String? {
        guard let value = request.cookies[name]?.value, value.utf8.count <= limit else { return nil }
        return value
    }

    /// The MAC of `text`, base64url.
    func mac(_ text: some StringProtocol) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)).base64URLEncoded
    }

    /// Whether `mac` (base64url) authenticates `text`, in constant time.
    func isValid(mac: some StringProtocol, for text: some StringProtocol) -> Bool {
        guard let code = Data(jwtSegment: mac) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(text.utf8), using: key)
    }

    /// The `Set-Cookie` value that gives the browser `value`.
    func setCookie(_ value: String, maxAge override: Int? = nil) -> String {
        "\(name)=\(value); Path=/" + ((override ?? maxAge).map { "; Max-Age=\($0)" } ?? "") + attributes
    }

    /// The `Set-Cookie` value that removes the cookie.
    var clearCookie: String {
        "\(name)=; Path=/; Max-Age=0" + attributes
    }

    private var attributes: String { "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "") }
}
