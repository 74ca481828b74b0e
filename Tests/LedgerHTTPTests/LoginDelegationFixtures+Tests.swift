import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerService
import Logging
import Testing

/// Fixtures for the login-delegation tests: the test plays the platform's login and consent
/// apps through the admin API, and a browser follows the redirects.
enum DelegationFixtures {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures

    static let loginApp = "https://login.example/login"
    static let consentApp = "https://login.example/consent"

    /// The value of `name` in a redirect's query, checking the redirect goes to `base`.
    static func parameter(_ name: String, of response: TestResponse, base: String) throws -> String {
        #expect(response.status == .seeOther, "\(response.status) \(response.text)")
        let (location, items) = try F.location(response)
        #expect(location == base)
        return try #require(items[name])
    }

    /// An admin call with a JSON body.
    static func admin(_ h: HTTPHarness, _ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(HTTPHarness.adminToken)"]
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        }
        return try await h.adminClient.executeRequest(uri: uri, method: method, headers: headers, body: buffer)
    }

    /// `/authorize` in `browser` up to the login app: its `login_challenge`.
    static func startLogin(_ h: HTTPHarness, _ browser: inout O.Browser, _ parameters: [(String, String)]) async throws -> String {
        try parameter("login_challenge", of: try await browser.get(h, F.authorizeURI(parameters)), base: loginApp)
    }

    /// Accepts a login challenge as the login app, answering the `redirect_to` path and query.
    static func acceptLogin(_ h: HTTPHarness, _ challenge: String, _ body: [String: Any]) async throws -> String {
        let answer = try await admin(h, .put, "/admin/login-requests/\(challenge)/accept", body)
        #expect(answer.status == .ok, "\(answer.text)")
        return try localPath(try #require(answer.json["redirect_to"] as? String))
    }

    /// Accepts a consent challenge as the consent app, answering the `redirect_to` path and query.
    static func acceptConsent(_ h: HTTPHarness, _ challenge: String, _ body: [String: Any]) async throws -> String {
        let answer = try await admin(h, .put, "/admin/consent-requests/\(challenge)/accept", body)
        #expect(answer.status == .ok, "\(answer.text)")
        return try localPath(try #require(answer.json["redirect_to"] as? String))
    }

    /// The path and query of a URL of the issuer (`https://issuer.test/…`).
    static func localPath(_ url: String) throws -> String {
        #expect(url.hasPrefix("https://issuer.test/authorize?"), "\(url)")
        return String(url.dropFirst("https://issuer.test".count))
    }

    /// The types of every event of the streams of `kind`, in log order.
    static func eventTypes(_ h: HTTPHarness, kind: String) async throws -> [String] {
        let rows = try await h.ledger.admin.query(
            "SELECT type FROM events WHERE stream_id LIKE \(kind + "/%") ORDER BY seq", logger: h.services.logger
        )
        var types: [String] = []
        for try await type in rows.decode(String.self) { types.append(type) }
        return types
    }

    /// The chain of the whole log verifies.
    static func expectIntactChain(_ h: HTTPHarness) async throws {
        guard case .intact = try await ChainVerifier(client: h.ledger.admin, logger: Logger(label: "test")).verify() else {
            Issue.record("the hash chain does not verify")
            return
        }
    }
}
