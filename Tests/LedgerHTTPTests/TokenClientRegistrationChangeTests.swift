import Foundation
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Logging
import Testing

/// The token endpoint reuses client registrations for a while (`ClientStore.recent`); these
/// tests prove a registration changed elsewhere in the meantime never authorizes a token.
@Suite("POST /token with a client registration changed on another replica")
struct TokenClientRegistrationChangeTests {
    @Test("a client deactivated by another replica gets no token from a replica that still caches it")
    func deactivatedElsewhere() async throws {
        try await HTTPHarness.with(clientCacheMaxAge: .seconds(3600)) { h in
            let client = try await TokenFixtures.register(h, id: "svc-cached", scope: "api:read")
            let first = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(first.status == .ok)

            // Another replica: the same database and log, its own cache.
            let elsewhere = ClientStore(client: h.ledger.primary.client, writer: h.ledger.primary.writer, logger: Logger(label: "test.replica"))
            let now = h.services.now()
            let outcome = try await elsewhere.execute(
                .deactivate(reason: .clientDeactivated, tokensExpireBy: now.adding(.seconds(600))), on: ClientID("svc-cached"),
                context: DecisionContext(now: now), metadata: EventMetadata(actor: "test")
            )
            #expect(outcome.decision.refusal == nil)
            // This replica's cache still holds the active registration at its old version.
            let cached = try #require(try await h.services.clients.recent(ClientID("svc-cached")))
            #expect(cached.client.active)
            #expect(cached.version == 1)
            let before = try await TokenFixtures.eventCount(h)

            // The cached registration authenticates, but the append's read set refuses it.
            let stale = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(stale.status == .unauthorized)
            #expect(stale.oauthErrorCode == "invalid_client")
            #expect(try await TokenFixtures.eventCount(h) == before)

            // The stale entry is gone: the next request reads the deactivated registration.
            let fresh = try #require(try await h.services.clients.recent(ClientID("svc-cached")))
            #expect(!fresh.client.active)
            let again = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(again.status == .unauthorized)
            #expect(again.oauthErrorCode == "invalid_client")
            #expect(try await TokenFixtures.eventCount(h) == before)
        }
    }

    @Test("a refresh authorized by a stale registration writes nothing; the token still works afterwards")
    func refreshWithStaleRegistration() async throws {
        try await HTTPHarness.with(clientCacheMaxAge: .seconds(3600)) { h in
            let client = try await TokenFixtures.register(h, id: "app-cached")
            let issued = try await TokenFixtures.issueCode(h, for: client)
            let redeemed = try await TokenFixtures.redeem(h, issued, by: client)
            #expect(redeemed.status == .ok)
            let token = try #require(redeemed.json["refresh_token"] as? String)
            // Another replica revokes the client's tokens issued so far: the client stream moves.
            let elsewhere = ClientStore(client: h.ledger.primary.client, writer: h.ledger.primary.writer, logger: Logger(label: "test.replica"))
            let now = h.services.now()
            _ = try await elsewhere.execute(
                .revokeTokens(reason: .admin, tokensExpireBy: now.adding(.seconds(600))), on: ClientID("app-cached"),
                context: DecisionContext(now: now.adding(.seconds(-3600))), metadata: EventMetadata(actor: "test")
            )
            let before = try await TokenFixtures.eventCount(h)
            let stale = try await TokenFixtures.post(h, "/token", ["grant_type": "refresh_token", "refresh_token": token], as: client)
            #expect(stale.status == .unauthorized)
            #expect(stale.oauthErrorCode == "invalid_client")
            #expect(try await TokenFixtures.eventCount(h) == before)
            // Nothing was rotated: the same refresh token now succeeds against the fresh registration.
            let retried = try await TokenFixtures.post(h, "/token", ["grant_type": "refresh_token", "refresh_token": token], as: client)
            #expect(retried.status == .ok)
            #expect(try await TokenFixtures.eventCount(h) > before)
        }
    }
}
