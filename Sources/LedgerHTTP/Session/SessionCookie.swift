import Crypto
import Foundation
import Hummingbird
import LedgerDomain

/// The OP session cookie (§5.1): `sid.MAC`, where `MAC = HMAC-SHA256(key, sid)`. The server
/// keeps no cookie value: a replica checks the MAC with the key every replica derives from
/// `TOKENLEDGER_KEY_SECRET` and then reads session `sid` from PostgreSQL. Knowing a `sid` (it
/// is in every token of the session) does not let anyone forge the cookie. HttpOnly,
/// SameSite=Lax, Secure and `__Host-` prefixed when the issuer is https; it lives as long as
/// the browser session.
public struct SessionCookie: Sendable {
    private let key: SymmetricKey
    private let secure: Bool

    /// Creates the cookie codec; its HMAC key is derived from the request-sealing key.
    public init(sealingKey: SymmetricKey, issuer: String) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: sealingKey, info: Data("tokenledger op session cookie v1".utf8), outputByteCount: 32)
        secure = issuer.lowercased().hasPrefix("https://")
    }

    /// The cookie's name.
    public var name: String { secure ? "__Host-tokenledger_session" : "tokenledger_session" }

    /// A new, unguessable session id (256 random bits, base64url).
    public static func newSessionID() -> SessionID { SessionID(SecretDigest.mint()) }

    /// The session id the browser's cookie names, when its MAC is valid (constant-time check).
    public func sessionID(in request: Request) -> SessionID? {
        guard let value = request.cookies[name]?.value, value.utf8.count <= 200 else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let mac = Data(jwtSegment: parts[1]) else { return nil }
        let sid = String(parts[0])
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(sid.utf8), using: key) else { return nil }
        return SessionID(sid)
    }

    /// The `Set-Cookie` value that gives the browser session `sid`.
    public func setCookie(_ sid: SessionID) -> String {
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data(sid.rawValue.utf8), using: key)).base64URLEncoded
        return "\(name)=\(sid.rawValue).\(mac); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes the cookie.
    public var clearCookie: String {
        "\(name)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }
}
