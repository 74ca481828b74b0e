import LedgerDomain
import LedgerPostgres

extension TokenService {
    /// What `/authorize` grants a signed-in user: the client, the request's scope, exact
    /// redirect URI, S256 `code_challenge`, `nonce` and resource indicators.
    package struct CodeRequest: Sendable {
        package var client: Client
        package var scope: Scope
        package var redirectURI: String
        package var codeChallenge: String?
        package var nonce: String?
        /// The resources asked for (RFC 8707), each one the client may have; nil when none.
        package var resources: Resources?

        /// A code request of `client`.
        package init(client: Client, scope: Scope, redirectURI: String, codeChallenge: String?, nonce: String?, resources: Resources? = nil) {
            self.client = client
            self.scope = scope
            self.redirectURI = redirectURI
            self.codeChallenge = codeChallenge
            self.nonce = nonce
            self.resources = resources
        }
    }

    /// Starts a code-flow grant for `subject`, signed in to `session`, and returns its
    /// authorization code, minted here and recorded only as its hash (I6). The grant carries
    /// the session's `sid` and its login time as `auth_time` (or `authTime`, when the login
    /// app said when the user authenticated). `grant` is the grant's id when the caller
    /// recorded it already (a delegated login's `login.completed`); a fresh one otherwise.
    /// Returns after the events committed (I1), so the code never leaves before the log knows it.
    package func issueCode(
        _ request: CodeRequest, subject: Subject, session: Session, grant: GrantID? = nil, authTime: Instant? = nil,
        metadata: EventMetadata
    ) async throws(TokenError) -> (code: String, grant: GrantID) {
        let context = DecisionContext(now: now(), lifetimes: request.client.registration.lifetimes)
        let code = SecretDigest.mint()
        let grantID = grant ?? GrantID(LedgerID.make(at: context.now))
        let command = GrantCommand.startWithCode(.init(
            grantID: grantID, clientID: request.client.id, subject: subject, sessionID: session.sessionID, scope: request.scope,
            codeHash: SecretDigest.hash(code), redirectURI: request.redirectURI, codeChallenge: request.codeChallenge,
            nonce: request.nonce, authTime: authTime ?? session.authTime ?? context.now, resources: request.resources
        ))
        let grants = stores.grants
        let outcome = try await orUnavailable("code grant") {
            try await grants.execute(command, on: grantID, context: context, metadata: metadata, start: grant == nil ? .absent : .load)
        }
        if let refusal = outcome.decision.refusal, refusal.code == .pkceRequired { throw TokenError(.invalidRequest, "code_challenge is required") }
        guard outcome.decision.refusal == nil, outcome.receipt != nil else { throw .unavailable("the code grant was not recorded") }
        return (code, grantID)
    }
}
