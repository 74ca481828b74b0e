import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import LedgerDomain
import LedgerService
import LedgerHTTP
import LedgerPostgres
import Testing

/// Fixtures for the OpenID Connect tests: a browser that keeps its cookies across requests,
/// the whole sign-in (through the form or single sign-on), the code exchange, and an ID token
/// check against the published JWKS written independently of the code under test.
enum OIDCFixtures {
    typealias F = AuthorizeFixtures
    typealias T = TokenFixtures

    static let postLogoutURI = "https://app.example/bye"
    static let sessionCookie = "__Host-tokenledger_session"

    /// A browser's cookie jar.
    struct Browser: Sendable {
        var cookies: [String: String] = [:]
        /// The attributes of the last `Set-Cookie` seen for each name.
        var attributes: [String: String] = [:]
        /// Sent as `User-Agent`.
        var userAgent = "OIDCFixtures-Browser/1.0"

        /// The `Cookie` header.
        var header: String? { cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

        /// Keeps what the response sets, forgets what it clears.
        mutating func absorb(_ response: TestResponse) {
            for line in response.headers[values: .setCookie] {
                let pair = line.prefix { $0 != ";" }
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                attributes[name] = line
                if line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = String(pair[pair.index(after: equals)...]) }
            }
        }

        /// GET `uri` with the cookies, keeping what the answer sets.
        mutating func get(_ h: HTTPHarness, _ uri: String) async throws -> TestResponse {
            var headers: HTTPFields = [.userAgent: userAgent]
            if let header { headers[.cookie] = header }
            let response = try await h.publicClient.executeRequest(uri: uri, method: .get, headers: headers, body: nil)
            absorb(response)
            return response
        }

        /// POST a form to `uri` with the cookies, keeping what the answer sets.
        mutating func post(_ h: HTTPHarness, _ uri: String, _ form: [(String, String)]) async throws -> TestResponse {
            var headers: HTTPFields = [.userAgent: userAgent]
            if let header { headers[.cookie] = header }
            let response = try await h.publicClient.postForm(uri, form, headers: headers)
            absorb(response)
            return response
        }
    }

    /// GET /authorize in `browser`; when the login page comes, signs in as `username`. Returns
    /// the final answer (a redirect to the client) and whether the form was shown.
    static func authorize(
        _ h: HTTPHarness, _ browser: inout Browser, _ parameters: [(String, String)] = F.parameters(), username: String = "alice"
    ) async throws -> (response: TestResponse, showedForm: Bool) {
        let first = try await browser.get(h, F.authorizeURI(parameters))
        guard first.status == .ok else { return (first, false) }
        let html = first.text
        let form = [
            ("request", try #require(F.hiddenInput("request", in: html))), ("csrf", try #require(F.hiddenInput("csrf", in: html))),
            ("username", username), ("password", F.password),
        ]
        return (try await browser.post(h, "/authorize", form), true)
    }

    /// The code of a redirect to the client, checking `state` came back unchanged.
    static func code(_ response: TestResponse, state: String = F.state) throws -> String {
        let (base, items) = try F.location(response)
        #expect(base == F.redirectURI)
        #expect(items["state"] == state)
        #expect(items["error"] == nil, "unexpected error \(items["error"] ?? "")")
        return try #require(items["code"])
    }

    /// Exchanges a code of public client `client` (verifier of ``AuthorizeFixtures/challenge``).
    static func exchange(_ h: HTTPHarness, _ code: String, client: String = "spa") async throws -> [String: Any] {
        let response = try await T.post(
            h, "/token",
            ["grant_type": "authorization_code", "code": code, "redirect_uri": F.redirectURI, "code_verifier": F.verifier],
            as: T.TestClient(id: client, secret: nil)
        )
        #expect(response.status == .ok, "token exchange: \(response.text)")
        return response.json
    }

    /// Signs in (form or SSO) and exchanges the code: the token response.
    static func signIn(
        _ h: HTTPHarness, _ browser: inout Browser, client: String = "spa", scope: String = "openid profile offline_access"
    ) async throws -> [String: Any] {
        let (response, _) = try await authorize(h, &browser, F.parameters(["client_id": client, "scope": scope]))
        return try await exchange(h, try code(response), client: client)
    }

    /// The claims of an ID token after checking its signature with a key of `/jwks.json`.
    static func verifiedIDToken(_ h: HTTPHarness, _ token: String) async throws -> IDTokenClaims {
        let jwks = try await h.publicClient.executeRequest(uri: "/jwks.json", method: .get, headers: [:], body: nil).text
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: jwks)
        return try await keys.verify(token, as: IDTokenClaims.self)
    }

    /// `at_hash` computed here: base64url of the left half of SHA-256 (SHA-512 for EdDSA).
    static func atHash(_ accessToken: String, algorithm: String) -> String {
        let digest = algorithm == "EdDSA" ? Data(SHA512.hash(data: Data(accessToken.utf8))) : Data(SHA256.hash(data: Data(accessToken.utf8)))
        return T.base64URL(digest.prefix(digest.count / 2))
    }

    /// GET /userinfo with a bearer token.
    static func userInfo(_ h: HTTPHarness, _ token: String) async throws -> TestResponse {
        try await h.publicClient.executeRequest(uri: "/userinfo", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
    }

    /// The types of a stream's events, in order.
    static func eventTypes(_ h: HTTPHarness, stream: String) async throws -> [String] {
        let rows = try await h.ledger.admin.query(
            "SELECT type FROM events WHERE stream_id = \(stream) ORDER BY seq", logger: h.services.logger
        )
        var types: [String] = []
        for try await type in rows.decode(String.self) { types.append(type) }
        return types
    }

    /// The sid a browser's session cookie names.
    static func sid(_ browser: Browser) throws -> String {
        let value = try #require(browser.cookies[sessionCookie])
        return String(value.prefix { $0 != "." })
    }
}
