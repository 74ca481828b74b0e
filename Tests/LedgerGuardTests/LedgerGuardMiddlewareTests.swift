import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerGuard
import Testing

/// The Hummingbird middleware's RFC 6750 answers, and the claims it hands to routes.
@Suite("LedgerGuard middleware")
struct LedgerGuardMiddlewareTests {
    struct APIContext: AccessTokenRequestContext {
        var coreContext: CoreRequestContextStorage
        var accessToken: AccessToken?
        init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
    }

    /// An app with `/open` (any valid token) and `/write` (scope `write` required).
    static func app(_ validator: AccessTokenValidator) -> some ApplicationProtocol {
        let router = Router(context: APIContext.self)
        router.group("open").add(middleware: LedgerGuardMiddleware(validator: validator))
            .get { _, context in context.accessToken?.subject ?? "none" }
        router.group("write").add(middleware: LedgerGuardMiddleware(validator: validator, requiredScopes: ["write"]))
            .get { _, context in context.accessToken?.subject ?? "none" }
        return Application(router: router)
    }

    static func get(_ client: some TestClientProtocol, _ path: String, authorization: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        return try await client.executeRequest(uri: path, method: .get, headers: headers, body: nil)
    }

    @Test("valid token: 200 and the route sees its claims; missing scope: 403 insufficient_scope")
    func accepted() async throws {
        try await ValidatorFixture.with { f in
            let token = try await f.signer.sign()
            try await Self.app(f.validator).test(.router) { client in
                let ok = try await Self.get(client, "/open", authorization: "Bearer \(token)")
                #expect(ok.status == .ok)
                #expect(String(buffer: ok.body) == "alice")
                let forbidden = try await Self.get(client, "/write", authorization: "Bearer \(token)")
                #expect(forbidden.status == .forbidden)
                #expect(forbidden.headers[.wwwAuthenticate] == #"Bearer realm="api", error="insufficient_scope", error_description="token lacks a required scope", scope="write""#)
                var claims = TestClaims()
                claims.scope = "read write"
                let writer = try await f.signer.sign(claims)
                #expect(try await Self.get(client, "/write", authorization: "bearer \(writer)").status == .ok)
            }
        }
    }

    @Test("no credentials: 401 with a bare Bearer challenge; bad token: 401 invalid_token; malformed header: 400")
    func refused() async throws {
        try await ValidatorFixture.with { f in
            try await Self.app(f.validator).test(.router) { client in
                for authorization in [nil, "Basic YTpi"] {
                    let response = try await Self.get(client, "/open", authorization: authorization)
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="api""#)
                }
                let invalid = try await Self.get(client, "/open", authorization: "Bearer not.a.token")
                #expect(invalid.status == .unauthorized)
                #expect(invalid.headers[.wwwAuthenticate]?.hasPrefix(#"Bearer realm="api", error="invalid_token""#) == true)
                let forged = try TestSigner.forge(header: ["alg": "none", "typ": "at+jwt", "kid": f.signer.kid])
                #expect(try await Self.get(client, "/open", authorization: "Bearer \(forged)").status == .unauthorized)
                for malformed in ["Bearer", "Bearer  ", "Bearer a b"] {
                    let response = try await Self.get(client, "/open", authorization: malformed)
                    #expect(response.status == .badRequest, "\(malformed)")
                    #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="api", error="invalid_request", error_description="malformed Authorization header""#)
                }
            }
        }
    }

    @Test("revoked: 401 invalid_token; stale revocation state: 503 with Retry-After")
    func revokedAndStale() async throws {
        try await ValidatorFixture.with { f in
            let token = try await f.signer.sign()
            try await Self.app(f.validator).test(.router) { client in
                #expect(try await Self.get(client, "/open", authorization: "Bearer \(token)").status == .ok)
                // A state never confirmed (as before the first catch-up, or long after the last): fail closed.
                f.validator.revocations.update { $0 = RevocationSync() }
                let response = try await Self.get(client, "/open", authorization: "Bearer \(token)")
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "2")
                #expect(response.headers[.wwwAuthenticate] == nil)
                // A catch-up makes it fresh again; one that brings a revocation refuses the token as invalid.
                f.validator.revocations.update { $0.caughtUp(items: [], head: 1, at: Instant.current().milliseconds) }
                #expect(try await Self.get(client, "/open", authorization: "Bearer \(token)").status == .ok)
                let jti = try #require(try await f.validator.validate(token).jti)
                let revocation = SubscriberFixture.message(
                    SubscriberFixture.revocation(.token, jti, until: Int64(Date().timeIntervalSince1970) + 600), seq: 2, prevSeq: 0
                )
                f.validator.revocations.update { $0.caughtUp(items: [revocation], head: 2, at: Instant.current().milliseconds) }
                let revoked = try await Self.get(client, "/open", authorization: "Bearer \(token)")
                #expect(revoked.status == .unauthorized)
                #expect(revoked.headers[.wwwAuthenticate] == #"Bearer realm="api", error="invalid_token", error_description="token is revoked""#)
            }
        }
    }
}
