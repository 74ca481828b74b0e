import HTTPTypes
import Hummingbird

/// The pages of RP-initiated logout: the confirmation asked when no `id_token_hint` for the
/// browser's own session proves the request came from the user's application (a CSRF-protected form posting back to
/// `/logout`), and the page shown after signing out when there is nowhere to return to.
enum LogoutPage {
    /// "Sign out?" with the request's parameters carried as hidden inputs.
    static func confirmation(
        csrfToken: String, idTokenHint: String?, clientID: String?, redirectURI: String?, state: String?, setCookie: String
    ) -> Response {
        var hidden = [("csrf", csrfToken)]
        if let idTokenHint { hidden.append(("id_token_hint", idTokenHint)) }
        if let clientID { hidden.append(("client_id", clientID)) }
        if let redirectURI { hidden.append(("post_logout_redirect_uri", redirectURI)) }
        if let state { hidden.append(("state", state)) }
        let inputs = hidden.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(HTMLPage.escape($0.1))\">" }.joined(separator: "\n")
        let body = """
            <h1>Sign out?</h1>
            <p>You will be signed out of every application that uses this sign-in.</p>
            <form method="post" action="/logout">
            \(inputs)
            <button type="submit" name="confirm" value="yes">Sign out</button>
            </form>
            """
        return HTMLPage.response(
            status: .ok, title: "Sign out", body: body, headers: [.setCookie: setCookie], formRedirects: redirectURI.map { [$0] } ?? []
        )
    }

    /// "You are signed out", clearing the session cookie when `clearCookie` is given.
    static func signedOut(clearCookie: String?) -> Response {
        HTMLPage.response(
            status: .ok, title: "Signed out", body: "<h1>Signed out</h1><p>You have been signed out. You may close this window.</p>",
            headers: clearCookie.map { [.setCookie: $0] } ?? [:]
        )
    }
}
