import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import PostgresNIO
import Testing

@Suite("POST /token, /revoke, /introspect with bad input (I8)")
struct TokenBadInputTests {
    /// A raw request to `uri` with `body` and headers.
    static func send(
        _ h: HTTPHarness, _ uri: String, body: String, contentType: String?, auth: HTTPFields
    ) async throws -> TestResponse {
        var headers = auth
        if let contentType { headers[.contentType] = contentType }
        return try await h.publicClient.executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test(
        "malformed bodies are 400 invalid_request JSON and append nothing",
        arguments: [
            ("wrong content type", "grant_type=client_credentials", "application/json"),
            ("no content type", "grant_type=client_credentials", nil),
            ("repeated parameter", "grant_type=client_credentials&scope=api:read&scope=api:write", "application/x-www-form-urlencoded"),
            ("invalid UTF-8", "grant_type=client_credentials&scope=%C3%28", "application/x-www-form-urlencoded"),
            (
                "body over 16 KiB", "grant_type=client_credentials&scope=" + String(repeating: "a", count: 17 * 1024),
                "application/x-www-form-urlencoded"
            ),
        ] as [(String, String, String?)]
    )
    func malformed(_ label: String, _ body: String, _ contentType: String?) async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h)
            let before = try await TokenFixtures.eventCount(h)
            for uri in ["/token", "/revoke", "/introspect"] {
                let response = try await Self.send(h, uri, body: body, contentType: contentType, auth: client.basic)
                #expect(response.status == .badRequest, "\(label) \(uri)")
                #expect(response.oauthErrorCode == "invalid_request", "\(label) \(uri)")
                #expect(response.headers[.contentType] == "application/json")
                #expect(response.headers[.cacheControl] == "no-store")
            }
            #expect(try await TokenFixtures.eventCount(h) == before, "\(label)")
        }
    }

    @Test("a repeated refresh_token parameter does not rotate anything")
    func repeatedRefreshToken() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, _, refresh) = try await TokenRefreshTests.start(h)
            let before = try await TokenFixtures.eventCount(h)
            let body = "grant_type=refresh_token&refresh_token=\(refresh)&refresh_token=\(refresh)"
            let response = try await Self.send(h, "/token", body: body, contentType: "application/x-www-form-urlencoded", auth: client.basic)
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_request")
            #expect(try await TokenFixtures.eventCount(h) == before)
            #expect(try await TokenFixtures.grant(h, grant).refresh?.generation == 1)
        }
    }

    @Test("error descriptions never echo the presented token or secret (I6)")
    func noSecretsInErrors() async throws {
        try await HTTPHarness.with { h in
            let (client, _, _, refresh) = try await TokenRefreshTests.start(h)
            let thief = try await TokenFixtures.register(h)
            let response = try await TokenFixtures.refresh(h, refresh, as: thief)
            #expect(response.oauthErrorCode == "invalid_grant")
            let text = String(buffer: response.body)
            #expect(!text.contains(refresh))
            #expect(!text.contains(thief.secret ?? "-"))
            #expect(!text.contains(client.secret ?? "-"))
        }
    }

    @Test("a database failure is 503 temporarily_unavailable, never 500")
    func databaseFailure() async throws {
        try await HTTPHarness.with { h in
            let (client, _, _, refresh) = try await TokenRefreshTests.start(h)
            try await h.ledger.admin.query("ALTER TABLE refresh_tokens RENAME TO refresh_tokens_gone", logger: h.services.logger)
            let response = try await TokenFixtures.refresh(h, refresh, as: client)
            #expect(response.status == .serviceUnavailable)
            #expect(response.oauthErrorCode == "temporarily_unavailable")
            #expect(response.headers[.cacheControl] == "no-store")
            try await h.ledger.admin.query("ALTER TABLE refresh_tokens_gone RENAME TO refresh_tokens", logger: h.services.logger)
        }
    }
}
