import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

@Suite("POST /token client authentication and grant types")
struct TokenClientAuthTests {
    @Test("a wrong secret with Basic is 401 invalid_client with a Basic challenge")
    func wrongSecretBasic() async throws {
        try await HTTPHarness.with { h in
            var client = try await TokenFixtures.register(h)
            client.secret = "not-the-secret"
            let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(response.status == .unauthorized)
            #expect(response.oauthErrorCode == "invalid_client")
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            #expect(response.headers[.cacheControl] == "no-store")
        }
    }

    @Test("a wrong secret in the form is 401 invalid_client without a Basic challenge")
    func wrongSecretPost() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, method: "client_secret_post")
            let response = try await h.publicClient.postForm("/token", [
                ("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", "wrong"),
            ])
            #expect(response.status == .unauthorized)
            #expect(response.oauthErrorCode == "invalid_client")
            #expect(response.headers[.wwwAuthenticate] == nil)
        }
    }

    @Test("client_secret_post with the right secret works")
    func postAuthentication() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, method: "client_secret_post")
            let response = try await h.publicClient.postForm("/token", [
                ("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret ?? ""),
            ])
            #expect(response.status == .ok)
        }
    }

    @Test("Basic and client_secret together are invalid_request")
    func bothMethods() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h)
            let response = try await h.publicClient.postForm(
                "/token",
                [("grant_type", "client_credentials"), ("client_id", client.id), ("client_secret", client.secret ?? "")],
                headers: client.basic
            )
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_request")
        }
    }

    @Test("an unknown client is 401 invalid_client")
    func unknownClient() async throws {
        try await HTTPHarness.with { h in
            let ghost = TokenFixtures.TestClient(id: "ghost", secret: "whatever")
            let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: ghost)
            #expect(response.status == .unauthorized)
            #expect(response.oauthErrorCode == "invalid_client")
        }
    }

    @Test("a deleted client is invalid_client")
    func deactivatedClient() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h)
            _ = try await h.services.clients.execute(
                .deactivate(reason: .admin, tokensExpireBy: h.services.now()), on: ClientID(client.id),
                context: DecisionContext(now: h.services.now()), metadata: EventMetadata(actor: "test")
            )
            let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(response.status == .unauthorized)
            #expect(response.oauthErrorCode == "invalid_client")
        }
    }

    @Test("no client authentication at all is 401 invalid_client")
    func missingAuthentication() async throws {
        try await HTTPHarness.with { h in
            let response = try await h.publicClient.postForm("/token", [("grant_type", "client_credentials")])
            #expect(response.status == .unauthorized)
            #expect(response.oauthErrorCode == "invalid_client")
        }
    }

    @Test("an unknown grant type is unsupported_grant_type; an unregistered one is unauthorized_client")
    func grantTypes() async throws {
        try await HTTPHarness.with { h in
            let client = try await TokenFixtures.register(h, grantTypes: ["authorization_code"])
            let unknown = try await TokenFixtures.post(h, "/token", ["grant_type": "password"], as: client)
            #expect(unknown.status == .badRequest)
            #expect(unknown.oauthErrorCode == "unsupported_grant_type")
            let unregistered = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(unregistered.status == .badRequest)
            #expect(unregistered.oauthErrorCode == "unauthorized_client")
            let missing = try await TokenFixtures.post(h, "/token", [:], as: client)
            #expect(missing.status == .badRequest)
            #expect(missing.oauthErrorCode == "invalid_request")
        }
    }
}
