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
        guard !authorization.prompt.contains("login"), let session = try await usableSession(maxAge: authorization.maxAge, request: request),
            let user = services.users.user(subject: session.subject)
        else { return nil }
        return (session, user)
    }

    /// The browser's OP session when its cookie's MAC is valid, it is active, no deny-list entry
    /// covers it, and its login is no older than `maxAge`.
    func usableSession(maxAge: Int?, request: Request) async throws(AuthorizeFailure) -> Session? {
        guard let sid = sessionCookie.sessionID(in: request) else { return nil }
        do {
            return try await sessions.reusable(sid, maxAge: maxAge, at: services.now())
        } catch {
            throw .page(.serviceUnavailable, code: "temporarily_unavailable", "The service cannot check this request right now. Try again later.")
        }
    }
}
