import Crypto
import Foundation
import Hummingbird
import LedgerDomain
import LedgerService

/// `GET /authorize` validates an authorization request and either signs it in with the
/// browser's OP session (single sign-on) or shows the login form; its `POST`
/// (``finishLogin(_:context:)``) checks the credentials, starts a session and issues the code.
/// Stateless apart from the per-replica ``LoginThrottle``: sessions live in PostgreSQL.
struct AuthorizeEndpoint: Sendable {
    let services: LedgerServices
    let sealer: AuthorizationRequestSealer
    let csrf: LoginCSRF
    let throttle: LoginThrottle
    let sessionCookie: SessionCookie
    let sessions: SessionLifecycle

    init(services: LedgerServices, throttle: LoginThrottle = LoginThrottle()) {
        self.services = services
        self.sealer = AuthorizationRequestSealer(key: services.requestSealingKey)
        self.csrf = LoginCSRF(sealingKey: services.requestSealingKey, issuer: services.issuer)
        self.throttle = throttle
        self.sessionCookie = SessionCookie(sealingKey: services.requestSealingKey, issuer: services.issuer, lifetimes: services.sessionLifecycle.lifetimes)
        self.sessions = services.sessionLifecycle
    }

    /// `GET /authorize`.
    func start<Context: RequestContext>(_ request: Request, context: Context) async -> Response {
        do throws(AuthorizeFailure) {
            guard let query = AuthorizeQuery(parsing: request.uri.query) else {
                throw .page(.badRequest, code: "invalid_request", "The request is not valid percent-encoded UTF-8.")
            }
            if services.loginURL != nil, query["login_verifier"] != nil || query["consent_verifier"] != nil {
                return await resume(query, request: request, context: context)
            }
            let (client, redirectURI) = try await AuthorizationRequest.trustedTarget(
                clientID: query.unambiguous("client_id"), redirectURI: query.unambiguous("redirect_uri"), clients: services.registration
            )
            let validated = try AuthorizationRequest.validate(
                query, client: client, redirectURI: redirectURI, now: services.now(), permits: services.tokens.permits
            )
            if let loginURL = services.loginURL {
                return try await delegate(validated, client: client, loginURL: loginURL, request: request, context: context)
            }
            if let (session, user) = try await reusableSession(for: validated, request: request) {
                return await issueCode(
                    for: validated, client: client, subject: user.subject, session: session, setCookie: nil, request: request, context: context
                )
            }
            if validated.prompt.contains("none") {
                throw .redirect(OAuthError("login_required", "the user must sign in"), redirectURI: redirectURI, state: validated.state)
            }
            let cookie = csrf.cookieValue(for: request)
            return LoginPage.response(
                .init(
                    clientName: Self.displayName(client), sealedRequest: sealer.seal(validated), csrfToken: csrf.token(for: cookie),
                    redirectURI: validated.redirectURI
                ),
                setCookie: csrf.setCookie(cookie)
            )
        } catch {
            return error.response(issuer: services.issuer)
        }
    }

    /// How the login page names a client.
    static func displayName(_ client: Client) -> String {
        client.registration.clientName.flatMap { $0.isEmpty ? nil : $0 } ?? client.id.rawValue
    }
}
