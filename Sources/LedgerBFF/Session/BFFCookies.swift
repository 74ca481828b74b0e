import Hummingbird

/// The BFF's cookies: the session cookie (an opaque random id, never a token) and one
/// short-lived cookie per login in flight. `HttpOnly; Secure; SameSite=Lax; Path=/` with the
/// `__Host-` prefix; only the development flag for plain-http loopback drops `Secure` and the
/// prefix. Lax, not Strict: the return from the issuer is a cross-site top-level navigation
/// that a Strict cookie would not survive (docs/bff.md#cookies).
struct BFFCookies: Sendable {
    let insecure: Bool
    /// Max-Age of the session cookie, seconds.
    let sessionMaxAge: Int64

    /// The session cookie's name.
    var sessionName: String { prefix + "bff" }

    /// The browser's session id, if it sent a plausible one.
    func sessionID(in request: Request) -> String? {
        guard let value = request.cookies[sessionName]?.value, (40...64).contains(value.utf8.count) else { return nil }
        return value
    }

    /// Gives the browser `sessionID`.
    func setSession(_ sessionID: String) -> String {
        "\(sessionName)=\(sessionID); Max-Age=\(sessionMaxAge)" + attributes
    }

    /// Removes the session cookie.
    var clearSession: String { "\(sessionName)=; Max-Age=0" + attributes }

    /// The cookie that binds the login transaction `tag` to this browser.
    func transactionName(_ tag: String) -> String { prefix + "bff-tx-" + tag }

    /// The binding value of the login transaction `tag`, if the browser sent it.
    func transactionBinding(_ tag: String, in request: Request) -> String? {
        request.cookies[transactionName(tag)]?.value
    }

    /// Binds the login transaction `tag` to this browser for ten minutes.
    func setTransaction(_ tag: String, binding: String) -> String {
        "\(transactionName(tag))=\(binding); Max-Age=600" + attributes
    }

    /// Removes the cookie of login transaction `tag`.
    func clearTransaction(_ tag: String) -> String { "\(transactionName(tag))=; Max-Age=0" + attributes }

    private var prefix: String { insecure ? "" : "__Host-" }
    private var attributes: String { "; Path=/; HttpOnly; SameSite=Lax" + (insecure ? "" : "; Secure") }
}
