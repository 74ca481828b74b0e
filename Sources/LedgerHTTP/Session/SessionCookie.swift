import Crypto
import Foundation
import Hummingbird
import LedgerDomain
import LedgerService

/// The OP session cookie: `sid.MAC`, where `MAC = HMAC-SHA256(key, sid)`. The server keeps no
/// cookie value: a replica checks the MAC with the key every replica derives from
/// `TOKENLEDGER_KEY_SECRET` and then reads session `sid` from PostgreSQL. Knowing a `sid` (it
/// is in every token of the session) does not let anyone forge the cookie. HttpOnly,
/// SameSite=Lax, Secure and `__Host-` prefixed when the issuer is https; its `Max-Age` is the
/// session's absolute lifetime.
package struct SessionCookie: Sendable {
    private let cookie: SignedCookie
    private let absoluteSeconds: Int

    /// Creates the cookie codec; its HMAC key is derived from the request-sealing key, and it
    /// lives as long as a session may (`lifetimes.absolute`).
    package init(sealingKey: SymmetricKey, issuer: String, lifetimes: SessionLifetimes) {
        absoluteSeconds = Int(lifetimes.absolute.components.seconds)
        cookie = SignedCookie(
            sealingKey: sealingKey, issuer: issuer, name: "tokenledger_session", purpose: "tokenledger op session cookie v1",
            maxAge: absoluteSeconds
        )
    }

    /// The cookie's name.
    package var name: String { cookie.name }

    /// A new, unguessable session id (256 random bits, base64url).
    package static func newSessionID() -> SessionID { SessionID(SecretDigest.mint()) }

    /// The session id the browser's cookie names, when its MAC is valid (constant-time check).
    package func sessionID(in request: Request) -> SessionID? {
        guard let value = cookie.value(in: request) else { return nil }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, cookie.isValid(mac: parts[1], for: parts[0]) else { return nil }
        return SessionID(String(parts[0]))
    }

    /// The `Set-Cookie` value that gives the browser session `sid`, for the session's absolute
    /// lifetime or, when shorter, `maxAge` seconds.
    package func setCookie(_ sid: SessionID, maxAge: Int? = nil) -> String {
        cookie.setCookie("\(sid.rawValue).\(cookie.mac(sid.rawValue))", maxAge: maxAge.map { min($0, absoluteSeconds) })
    }

    /// The `Set-Cookie` value that removes the cookie.
    package var clearCookie: String { cookie.clearCookie }
}
