import HTTPTypes
import Hummingbird

/// The built-in login form (docs/http-api.md): `<form method="post" action="/authorize">` with `username`,
/// `password`, and two hidden inputs — the sealed authorization request and the CSRF token.
/// Everything echoed is escaped; nothing secret is echoed.
enum LoginPage {
    /// What the form shows and carries.
    struct Content {
        /// The client's name (or id), shown as "to continue to …".
        var clientName: String
        /// The sealed ``AuthorizationRequest``.
        var sealedRequest: String
        /// The CSRF form token.
        var csrfToken: String
        /// Where a successful sign-in redirects (the client's redirect URI).
        var redirectURI: String
        /// The username to prefill after a failed attempt.
        var username: String = ""
        /// A message above the form.
        var error: String?
    }

    /// The page, with the CSRF cookie set when `setCookie` is given.
    static func response(_ content: Content, status: HTTPResponse.Status = .ok, setCookie: String?) -> Response {
        let error = content.error.map { "<p class=\"error\" role=\"alert\">\(HTMLPage.escape($0))</p>" } ?? ""
        let body = """
            <h1>Sign in</h1>
            <p>to continue to <strong>\(HTMLPage.escape(content.clientName))</strong></p>
            \(error)
            <form method="post" action="/authorize">
            <input type="hidden" name="request" value="\(HTMLPage.escape(content.sealedRequest))">
            <input type="hidden" name="csrf" value="\(HTMLPage.escape(content.csrfToken))">
            <label>Username <input name="username" autocomplete="username" required autofocus value="\(HTMLPage.escape(content.username))"></label>
            <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
            <button type="submit">Sign in</button>
            </form>
            """
        var headers: HTTPFields = [:]
        if let setCookie { headers[.setCookie] = setCookie }
        return HTMLPage.response(status: status, title: "Sign in", body: body, headers: headers, formRedirects: [content.redirectURI])
    }
}
