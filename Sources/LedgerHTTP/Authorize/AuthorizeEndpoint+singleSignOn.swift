import Hummingbird
import LedgerDomain
import LedgerPostgres
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
        let now = services.now()
        do {
            guard let session = try await services.sessions.load(sid), session.isActive, let authTime = session.authTime,
                let user = services.users.user(subject: session.subject)
            else { return nil }
            if let maxAge = authorization.maxAge, now.milliseconds - authTime.milliseconds > Int64(maxAge) * 1000 { return nil }
            let covered = DenyList.Token(grantID: nil, sessionID: sid, subject: session.subject, clientID: nil, issuedAt: authTime)
            guard try await !denyList.isRevoked(covered, at: now) else { return nil }
            return (session, user)
        } catch {
            throw .page(.serviceUnavailable, code: "temporarily_unavailable", "The service cannot check this request right now. Try again later.")
        }
    }
}
