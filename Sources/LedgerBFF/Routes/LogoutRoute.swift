import Hummingbird
import HTTPTypes

/// `POST /bff/logout`, with `X-CSRF: 1` or the form field `csrf` (the `logout_csrf` of
/// `/bff/user`): revokes the refresh token (RFC 7009), deletes the session, clears the cookie
/// and sends the browser to the issuer's `end_session_endpoint` with `id_token_hint` and the
/// registered post-logout redirect. Without a session it still clears the cookie and
/// redirects (with `client_id`, so the issuer can ask the user).
struct LogoutRoute: Sendable {
    let bff: BFF

    func add(to router: Router<BasicRequestContext>) {
        router.post("/bff/logout") { request, _ in
            await answer { () async throws(BFFError) in try await logout(request) }
        }
    }

    private func logout(_ request: Request) async throws(BFFError) -> Response {
        let sessionID = bff.cookies.sessionID(in: request)
        try await checkCSRF(request, sessionID: sessionID)
        var parameters = [("client_id", bff.configuration.clientID), ("post_logout_redirect_uri", bff.configuration.postLogoutURL)]
        if let sessionID, let loaded = try await bff.store.load(sessionID: sessionID) {
            if let refreshToken = loaded.session.refreshToken {
                do {
                    try await bff.provider.revoke(refreshToken, hint: "refresh_token")
                } catch {
                    throw BFFError(.unavailable, "the issuer cannot revoke the session's tokens now; nothing was ended")
                }
            }
            try await bff.store.delete(name: loaded.name)
            parameters.insert(("id_token_hint", loaded.session.idToken), at: 0)
            bff.logger.info("bff session ended: logout", metadata: ["sub": "\(loaded.session.subject)"])
        }
        let endpoint: String
        do {
            endpoint = try await bff.provider.metadata().endSessionEndpoint ?? bff.configuration.postLogoutURL
        } catch {
            endpoint = bff.configuration.postLogoutURL
        }
        let target = endpoint == bff.configuration.postLogoutURL ? endpoint : endpoint + "?" + FormEncoding.encode(parameters)
        return Response(status: .seeOther, headers: [.location: target, .cacheControl: "no-store", .setCookie: bff.cookies.clearSession])
    }

    /// `X-CSRF: 1`, or a form body whose `csrf` is the session's logout token.
    private func checkCSRF(_ request: Request, sessionID: String?) async throws(BFFError) {
        if request.headers[APIProxy.csrfHeader] == "1" { return }
        let refused = BFFError(.csrf, "logout needs X-CSRF: 1 or the logout form's token")
        guard let sessionID, request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else { throw refused }
        var request = request
        guard let body = try? await request.collectBody(upTo: 4096) else { throw refused }
        let form = String(buffer: body).split(separator: "&").compactMap { pair -> (Substring, Substring)? in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        guard let token = form.first(where: { $0.0 == "csrf" })?.1, bff.keys.isLogoutToken(String(token), for: sessionID) else { throw refused }
    }
}
