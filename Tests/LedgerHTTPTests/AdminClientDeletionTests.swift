import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Logging
import Testing
import LedgerService

@Suite("Admin API: client deletion and the CLI code path")
struct AdminClientDeletionTests {
    @Test("DELETE deactivates, logs client.revoked + client.deactivated and nothing per grant: the watermark covers them; repeat is a no-op")
    func delete() async throws {
        let clock = AuthorizeFixtures.Clock(AdminFixtures.t0)
        try await HTTPHarness.with(now: clock.now) { h in
            let id = try #require(try await AdminFixtures.register(h, AdminClientTests.confidential)["client_id"] as? String)
            let mine = [
                try await AdminFixtures.grant(h, client: id, subject: "alice"),
                try await AdminFixtures.grant(h, client: id, subject: "bob"),
            ]
            let other = try await AdminFixtures.grant(h, client: "someone-else", subject: "alice")
            clock.advance(.seconds(1))
            let at = AdminFixtures.t0.adding(.seconds(1))

            let response = try await AdminFixtures.call(h, .delete, "/admin/clients/\(id)")
            #expect(response.status == .noContent)

            let read = try await AdminFixtures.call(h, .get, "/admin/clients/\(id)")
            #expect(read.json["active"] as? Bool == false)
            let events = try await AdminFixtures.events(h, stream: "client/\(id)")
            #expect(events.map(\.type) == ["client.registered", "client.revoked", "client.deactivated"])
            #expect(events[1].data["reason"] as? String == "client_deactivated")
            #expect(events[1].data["not_before"] as? Int64 == at.milliseconds)
            let deny = try await AdminFixtures.deny(h, "client", id)
            // The watermark stays until the longest token of the client (its refresh tokens, 30 days) has expired.
            let until = at.adding(Lifetimes.standard.refreshTokenAbsolute).milliseconds
            #expect(deny == .init(notBefore: at.milliseconds, until: until, reason: "client_deactivated"))
            for grant in mine {
                #expect(try await AdminFixtures.events(h, stream: "grant/\(grant)").map(\.type).contains("grant.revoked") == false)
                #expect(try await AdminFixtures.deny(h, "grant", grant.rawValue) == nil)
            }
            // The subjects' grant listings leave the covered grants out; another client's stays.
            let alice = try await AdminFixtures.call(h, .get, "/admin/subjects/alice/grants")
            #expect((alice.json["grants"] as? [[String: Any]])?.compactMap { $0["grant_id"] as? String } == [other.rawValue])

            let head = try await AdminFixtures.head(h)
            let again = try await AdminFixtures.call(h, .delete, "/admin/clients/\(id)")
            #expect(again.status == .noContent)
            #expect(try await AdminFixtures.head(h) == head)
        }
    }

    @Test("the CLI's path: ClientRegistration registers, validates and deactivates directly")
    func registrationService() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            var logger = Logger(label: "test.cli")
            logger.logLevel = .error
            let service = ClientRegistration(
                stores: LedgerStores(database: h.ledger.primary.client, writer: h.ledger.primary.writer, logger: logger),
                now: { AdminFixtures.t0 }
            )
            // As `tokenledger clients create --name svc --grant-type client_credentials --auth-method client_secret_post`.
            let registered = try await service.register(
                ClientMetadata(clientName: "svc", grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_post"),
                by: EventMetadata(actor: "admin")
            )
            let secret = try #require(registered.secret)
            #expect(registered.client.registration.secretHash == SecretDigest.hash(secret))
            #expect(registered.client.registration.tokenEndpointAuthMethod == "client_secret_post")
            #expect(registered.client.registration.scope == Scope(["openid"]))
            // The admin API sees the same client.
            let read = try await AdminFixtures.call(h, .get, "/admin/clients/\(registered.client.id)")
            #expect(read.json["client_name"] as? String == "svc")
            #expect(try await service.all().map(\.id) == [registered.client.id])

            await #expect(throws: ClientRegistrationError.invalidRedirectURI("redirect_uris[0] must not contain a fragment")) {
                try await service.register(ClientMetadata(redirectURIs: ["https://a.example/cb#x"]), by: EventMetadata(actor: "admin"))
            }
            await #expect(throws: ClientRegistrationError.self) {
                try await service.register(
                    ClientMetadata(grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "none"), by: EventMetadata(actor: "admin")
                )
            }

            let deactivated = try await service.deactivate(registered.client.id, by: EventMetadata(actor: "admin"))
            #expect(deactivated.client.active == false)
            #expect(deactivated.seq != nil)
            let again = try await service.deactivate(registered.client.id, by: EventMetadata(actor: "admin"))
            #expect(again.seq == nil)
        }
    }
}
