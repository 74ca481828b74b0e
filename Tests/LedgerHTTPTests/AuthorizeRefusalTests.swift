import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

/// `GET /authorize` refusals: an error page where the redirect URI cannot be trusted, else a
/// redirect with `error`, the original `state` and `iss`. No refusal writes an event (I8).
@Suite("Authorize: refusals")
struct AuthorizeRefusalTests {
    typealias F = AuthorizeFixtures

    /// Asserts a 400 error page: no redirect, no cookie, no form.
    static func expectPage(_ response: TestResponse, status: HTTPResponse.Status = .badRequest, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers[.location] == nil, sourceLocation: sourceLocation)
        #expect(response.headers[.setCookie] == nil, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8", sourceLocation: sourceLocation)
        #expect(!response.text.contains("<form"), sourceLocation: sourceLocation)
    }

    /// Asserts a 302 to the registered redirect URI with `error`, and returns its parameters.
    @discardableResult
    static func expectRedirect(
        _ response: TestResponse, error: String, state: String? = F.state, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: String] {
        #expect(response.status == .found, sourceLocation: sourceLocation)
        let (base, items) = try F.location(response)
        #expect(base == F.redirectURI, sourceLocation: sourceLocation)
        #expect(items["error"] == error, sourceLocation: sourceLocation)
        #expect(items["error_description"]?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(items["state"] == state, sourceLocation: sourceLocation)
        #expect(items["iss"] == "https://issuer.test", sourceLocation: sourceLocation)
        #expect(items["code"] == nil, sourceLocation: sourceLocation)
        #expect(response.headers[.setCookie] == nil, sourceLocation: sourceLocation)
        return items
    }

    @Test("unknown, missing or deleted client: an error page, never a redirect")
    func unknownClient() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            Self.expectPage(try await F.get(h, F.parameters(["client_id": "nobody"])))
            Self.expectPage(try await F.get(h, F.parameters(["client_id": nil])))
            _ = try await h.services.clients.execute(
                .deactivate(reason: .admin, tokensExpireBy: h.services.now()), on: ClientID("spa"),
                context: DecisionContext(now: h.services.now()), metadata: EventMetadata(actor: "test")
            )
            let before = try await F.eventCount(h)
            Self.expectPage(try await F.get(h, F.parameters()))
            #expect(try await F.eventCount(h) == before)
        }
    }

    @Test(
        "a redirect_uri that is not exactly registered: an error page",
        arguments: [
            "https://app.example/cb/evil", "https://app.example/c", "https://app.example/cb?x=1", "https://app.example/cb#f",
            "https://APP.example/cb", "https://app.example/cb/", "https://app.example:443/cb", "http://app.example/cb",
            "https://evil.example/cb", "https://app.example/cb2", "https://app.example/cb2?tenant=b", "xhttps://app.example/cb",
            "https://app.example/cb ",
        ]
    )
    func unregisteredRedirect(_ uri: String) async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            Self.expectPage(try await F.get(h, F.parameters(["redirect_uri": uri])))
        }
    }

    @Test("a missing, or two different, redirect_uri or client_id: an error page")
    func ambiguousTarget() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            Self.expectPage(try await F.get(h, F.parameters(["redirect_uri": nil])))
            Self.expectPage(try await F.get(h, F.parameters() + [("redirect_uri", "https://evil.example/cb")]))
            Self.expectPage(try await F.get(h, F.parameters() + [("client_id", "other")]))
            // Not valid percent-encoding: nothing in it can be trusted.
            let undecodable = F.authorizeURI(F.parameters()) + "&state=%zz"
            Self.expectPage(try await h.publicClient.executeRequest(uri: undecodable, method: .get, headers: [:], body: nil))
        }
    }

    @Test("response_type other than code: unsupported_response_type, with state")
    func unsupportedResponseType() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            for type in ["token", "id_token", "code id_token", "code token"] {
                try Self.expectRedirect(try await F.get(h, F.parameters(["response_type": type])), error: "unsupported_response_type")
            }
            try Self.expectRedirect(try await F.get(h, F.parameters(["response_type": nil])), error: "invalid_request")
        }
    }

    @Test("PKCE: missing challenge, missing method, plain, or a malformed challenge → invalid_request")
    func pkce() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let cases: [[String: String?]] = [
                ["code_challenge": nil, "code_challenge_method": nil],
                ["code_challenge": nil],
                ["code_challenge_method": nil],
                ["code_challenge_method": "plain"],
                ["code_challenge_method": "plain", "code_challenge": F.verifier],
                ["code_challenge_method": "s256"],
                ["code_challenge": "too-short"],
                ["code_challenge": String(F.challenge.dropLast()) + "="],
            ]
            for overrides in cases {
                try Self.expectRedirect(try await F.get(h, F.parameters(overrides)), error: "invalid_request")
            }
        }
    }

    @Test("a repeated parameter is invalid_request, even with the same value")
    func repeatedParameter() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            for name in ["client_id", "redirect_uri", "response_type", "scope", "code_challenge", "nonce"] {
                let parameters = F.parameters()
                let repeated = parameters + [parameters.first { $0.0 == name }!]
                try Self.expectRedirect(try await F.get(h, repeated), error: "invalid_request")
            }
            // Two different states: there is no original state to return.
            try Self.expectRedirect(try await F.get(h, F.parameters() + [("state", "other")]), error: "invalid_request", state: nil)
        }
    }

    @Test("scope outside the client's registration, or missing: invalid_scope")
    func invalidScope() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            for scope: String? in ["openid admin", "revocations:read", nil, "openid \"x\""] {
                try Self.expectRedirect(try await F.get(h, F.parameters(["scope": scope])), error: "invalid_scope")
            }
        }
    }

    @Test("a client not registered for the code flow: unauthorized_client")
    func unauthorizedClient() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, method: "client_secret_basic", grantTypes: ["client_credentials"])
            try Self.expectRedirect(try await F.get(h, F.parameters()), error: "unauthorized_client")
        }
    }

    @Test("prompt=none without a session is login_required; unknown prompt or bad max_age is invalid_request")
    func promptAndMaxAge() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            try Self.expectRedirect(try await F.get(h, F.parameters(["prompt": "none"])), error: "login_required")
            try Self.expectRedirect(try await F.get(h, F.parameters(["prompt": "none login"])), error: "invalid_request")
            try Self.expectRedirect(try await F.get(h, F.parameters(["prompt": "bogus"])), error: "invalid_request")
            try Self.expectRedirect(try await F.get(h, F.parameters(["max_age": "-1"])), error: "invalid_request")
            try Self.expectRedirect(try await F.get(h, F.parameters(["request": "eyJ"])), error: "request_not_supported")
            try Self.expectRedirect(try await F.get(h, F.parameters(["response_mode": "fragment"])), error: "invalid_request")
            #expect(try await F.get(h, F.parameters(["prompt": "login consent", "max_age": "0"])).status == .ok)
            #expect(try await F.grantEventCount(h) == 0)
        }
    }
}
