import Hummingbird
import LedgerDomain
import LedgerService

extension AuthorizeEndpoint {
    /// The browser's OP session and its user, when they may sign this request in without the
    /// form (OIDC Core §3.1.2.1, §3.1.2.3): the cookie's MAC is valid, the session is active
    /// (not logged out or revoked), no deny-list entry covers it (its `sid`, or its subject
    /// revoked since the login), its user is still configured, `prompt` does not ask for a
    /// login, and the login is no older than `max_age`.
    func reusableSession(
        for authorization: AuthorizationRequest, request: Request
    ) async throws(AuthorizeFailure) -> (Session, LoginUser)? {
        guard !authorization.prompt.contains("login"), let sid = sessionCookie.sessionID(in: request) else { return nil }
        do {
            guard let session = try await sessions.reusable(sid, maxAge: authorization.maxAge, at: services.now()),
                let user = services.users.user(subject: session.subject)
            else { return nil }
            return (session, user)
        } catch {
            throw .page(.serviceUnavailable, code: "temporarily_unavailable", "The service cannot check this request right now. Try again later.")
        }
    }
}
