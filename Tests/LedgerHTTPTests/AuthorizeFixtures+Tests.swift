import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import PostgresNIO
import Synchronization
import Testing
import LedgerService

/// Fixtures for the `/authorize` and login tests: users with cheap (cost 4) hashes, clients
/// registered through the store, and a browser that follows the login page as a user would.
enum AuthorizeFixtures {
    static let redirectURI = "https://app.example/cb"
    static let redirectWithQuery = "https://app.example/cb2?tenant=a"
    /// RFC 7636 Appendix B.
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let password = "wonderland"
    static let state = "af0ifjsldkj/+ &=ü"
    static let nonce = "n-0S6_WzA2Mj"

    /// alice and bob, both with ``password``.
    static let users: UserDirectory = {
        let hash = PasswordHash.make(password, cost: 4)
        return try! UserDirectory([
            LoginUser(username: "alice", subject: Subject("sub-alice"), passwordHash: hash, claims: ["name": .string("Alice")]),
            LoginUser(username: "bob", subject: Subject("sub-bob"), passwordHash: hash),
        ])
    }()

    /// A clock the test advances by hand.
    final class Clock: Sendable {
        private let current: Mutex<Instant>
        init(_ start: Instant = Instant.current()) { current = Mutex(start) }
        @Sendable func now() -> Instant { current.withLock { $0 } }
        func advance(_ duration: Duration) { current.withLock { $0 = $0.adding(duration) } }
    }

    /// Registers a client with both redirect URIs (and `postLogoutRedirectURIs`); public (`none`)
    /// unless `method` says otherwise.
    static func register(
        _ h: HTTPHarness, id: String = "spa", name: String? = "Demo <App> & \"Co\"", method: String = "none",
        grantTypes: [String] = ["authorization_code", "refresh_token"], scope: String = "openid profile email offline_access",
        postLogoutRedirectURIs: [String] = [], idTokenAlgorithm: String? = nil, resources: [String]? = nil, skipConsent: Bool? = nil
    ) async throws {
        let registration = ClientRegistered(
            clientID: ClientID(id), clientName: name, redirectURIs: [redirectURI, redirectWithQuery],
            postLogoutRedirectURIs: postLogoutRedirectURIs,
            grantTypes: grantTypes, responseTypes: ["code"], tokenEndpointAuthMethod: method, scope: Scope(parsing: scope),
            secretHash: method == "none" ? nil : SecretDigest.hash(SecretDigest.mint()), lifetimes: .standard,
            idTokenSignedResponseAlg: idTokenAlgorithm, resources: resources.map(Resources.init), skipConsent: skipConsent,
            at: h.services.now()
        )
        let outcome = try await h.services.clients.execute(
            .register(registration), on: ClientID(id), context: DecisionContext(now: h.services.now()), metadata: EventMetadata(actor: "test")
        )
        try #require(outcome.decision.refusal == nil)
    }

    /// A valid authorization request's parameters, with `overrides` replacing (or, when nil, removing) some.
    static func parameters(_ overrides: [String: String?] = [:]) -> [(String, String)] {
        var parameters: [(String, String?)] = [
            ("response_type", "code"), ("client_id", "spa"), ("redirect_uri", redirectURI), ("scope", "openid profile"),
            ("state", state), ("code_challenge", challenge), ("code_challenge_method", "S256"), ("nonce", nonce),
        ]
        parameters = parameters.map { name, value in (name, overrides.keys.contains(name) ? overrides[name]! : value) }
        for (name, value) in overrides where !parameters.contains(where: { $0.0 == name }) { parameters.append((name, value)) }
        return parameters.compactMap { name, value in value.map { (name, $0) } }
    }

    /// `/authorize?…` with the parameters form-encoded in order (repeats allowed).
    static func authorizeURI(_ parameters: [(String, String)]) -> String {
        "/authorize?" + parameters.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
    }

    /// GET /authorize.
    static func get(_ h: HTTPHarness, _ parameters: [(String, String)], cookie: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await h.publicClient.executeRequest(uri: authorizeURI(parameters), method: .get, headers: headers, body: nil)
    }

    /// What a browser keeps from the login page: its hidden inputs and the cookie.
    struct LoginForm: Sendable {
        var request: String
        var csrf: String
        /// `name=value` for the `Cookie` header.
        var cookie: String
    }

    /// GET /authorize, expecting the login page; returns its form.
    static func openLogin(_ h: HTTPHarness, _ parameters: [(String, String)] = parameters(), cookie: String? = nil) async throws -> LoginForm {
        let response = try await get(h, parameters, cookie: cookie)
        try #require(response.status == .ok)
        let html = response.text
        let setCookie = try #require(response.headers[.setCookie])
        return LoginForm(
            request: try #require(hiddenInput("request", in: html)), csrf: try #require(hiddenInput("csrf", in: html)),
            cookie: String(setCookie.prefix { $0 != ";" })
        )
    }

    /// POSTs the login form with the browser's cookie.
    static func submit(
        _ h: HTTPHarness, _ form: LoginForm, username: String = "alice", password: String = password, cookie: String? = nil
    ) async throws -> TestResponse {
        try await h.publicClient.postForm(
            "/authorize", [("request", form.request), ("csrf", form.csrf), ("username", username), ("password", password)],
            headers: [.cookie: cookie ?? form.cookie]
        )
    }

    /// The value of `<input type="hidden" name="…" value="…">`.
    static func hiddenInput(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }

    /// The query items of a redirect's `Location`, and the URL before the query.
    static func location(_ response: TestResponse) throws -> (base: String, items: [String: String]) {
        let location = try #require(response.headers[.location])
        let components = try #require(URLComponents(string: location))
        var items: [String: String] = [:]
        for item in components.queryItems ?? [] {
            #expect(items.updateValue(item.value ?? "", forKey: item.name) == nil, "repeated \(item.name) in Location")
        }
        return (String(location.prefix { $0 != "?" }), items)
    }

    /// How many `grant.*` events the log holds.
    static func grantEventCount(_ h: HTTPHarness) async throws -> Int64 {
        let rows = try await h.ledger.admin.query("SELECT count(*) FROM events WHERE type LIKE 'grant.%'", logger: h.services.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }

    /// How many events the log holds.
    static func eventCount(_ h: HTTPHarness) async throws -> Int64 {
        let rows = try await h.ledger.admin.query("SELECT count(*) FROM events", logger: h.services.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }
}

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String { String(buffer: body) }
}
