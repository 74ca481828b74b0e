import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing
import LedgerService

/// A refresh token issued by this replica's own rotation is rotated again without a read; the
/// append's expected version and read set stand in for it.
@Suite("POST /token refresh_token: rotations remembered by the replica")
struct TokenRefreshRememberedTests {
    /// How many refresh-token rotations the log holds.
    static func rotations(_ h: HTTPHarness) async throws -> Int64 {
        let rows = try await h.ledger.admin.query(
            "SELECT count(*) FROM events WHERE type = 'grant.refresh_token.rotated'", logger: h.services.logger
        )
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }

    /// Appends `event` to its stream's end, with the deny-list row it projects, as another
    /// replica's revocation would (before its sweep has reached the grant).
    static func appendRevocation(_ h: HTTPHarness, _ event: some DomainEvent) async throws {
        let stream = event.streamID
        let rows = try await h.ledger.admin.query(
            "SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = \(stream.description)", logger: h.services.logger
        )
        var version: Int64 = -1
        for try await current in rows.decode(Int64.self) { version = current }
        _ = try await h.ledger.primary.writer.append(PendingAppend(
            stream: stream, expectedVersion: version, events: [try NewEvent(event, metadata: EventMetadata(actor: "test"))],
            projection: Projector.rows(for: event.ledgerEvent)
        ))
    }

    /// A second replica's public listener over the same database (its own caches).
    static func withOtherReplica(_ h: HTTPHarness, _ body: @Sendable (HTTPHarness) async throws -> Void) async throws {
        let stores = LedgerStores(database: h.ledger.primary.client, writer: h.ledger.primary.writer, logger: h.services.logger)
        let other = LedgerServices(
            issuer: h.services.issuer, stores: stores, keys: h.services.keys, adminToken: HTTPHarness.adminToken,
            logger: h.services.logger, now: h.services.now
        )
        try await Application(router: PublicRouter.build(other)).test(.router) { client in
            try await body(HTTPHarness(ledger: h.ledger, services: other, publicClient: client, adminClient: h.adminClient))
        }
    }

    @Test("the token a rotation issued is rotated again with no read: it works with the refresh-token index emptied, once")
    func rotatesWithoutRead() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, _, first) = try await TokenRefreshTests.start(h)
            let second = try #require(try await TokenFixtures.refresh(h, first, as: client).json["refresh_token"] as? String)
            try await h.ledger.admin.query("DELETE FROM refresh_tokens", logger: h.services.logger)

            let response = try await TokenFixtures.refresh(h, second, as: client)
            #expect(response.status == .ok)
            let third = try #require(response.json["refresh_token"] as? String)
            #expect(try await TokenFixtures.grant(h, grant).refresh?.generation == 3)
            #expect(try await TokenFixtures.grant(h, grant).refresh?.currentHash == SecretDigest.hash(third))

            // Taken out when used: presented again, it is looked up, and the emptied index no longer knows it.
            let again = try await TokenFixtures.refresh(h, second, as: client)
            #expect(again.status == .badRequest)
            #expect(again.oauthErrorCode == "invalid_grant")
            #expect(try await Self.rotations(h) == 2)
            #expect(try await TokenFixtures.grant(h, grant).status == .active)
        }
    }

    /// Rotates once (this replica remembers the successor), appends the revocation `revoked`
    /// makes of the grant, then presents the remembered token: refused, and nothing written.
    static func expectRefusedAfterRevocation(
        _ revoked: @escaping @Sendable (_ grant: Grant, _ now: Instant) throws -> any DomainEvent,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await HTTPHarness.with { h in
            let (client, grant, _, first) = try await TokenRefreshTests.start(h)
            let second = try #require(try await TokenFixtures.refresh(h, first, as: client).json["refresh_token"] as? String)
            try await Self.appendRevocation(h, revoked(try await TokenFixtures.grant(h, grant), h.services.now()))
            let events = try await TokenFixtures.eventCount(h)

            let response = try await TokenFixtures.refresh(h, second, as: client)
            #expect(response.status == .badRequest, sourceLocation: sourceLocation)
            #expect(response.oauthErrorCode == "invalid_grant", sourceLocation: sourceLocation)
            #expect(try await TokenFixtures.eventCount(h) == events, sourceLocation: sourceLocation)
            #expect(try await TokenFixtures.grant(h, grant).refresh?.generation == 2, sourceLocation: sourceLocation)
        }
    }

    @Test("a subject revoked after the rotation, before any grant event: the remembered token is refused and nothing is written")
    func subjectRevokedMeanwhile() async throws {
        try await Self.expectRefusedAfterRevocation { grant, now in
            SubjectEvent.revoked(.init(
                subject: grant.subject, reason: .admin, notBefore: now.adding(.milliseconds(1)), until: now.adding(.seconds(600))
            ))
        }
    }

    @Test("a session revoked after the rotation, before any grant event: the remembered token is refused and nothing is written")
    func sessionRevokedMeanwhile() async throws {
        try await Self.expectRefusedAfterRevocation { grant, now in
            SessionEvent.revoked(.init(
                sessionID: try #require(grant.sessionID), subject: grant.subject, reason: .logout, at: now, until: now.adding(.seconds(600))
            ))
        }
    }

    @Test("rotated on another replica meanwhile: the token this replica remembers is a reuse, and the family is revoked (I3)")
    func rotatedElsewhere() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, _, first) = try await TokenRefreshTests.start(h)
            let second = try #require(try await TokenFixtures.refresh(h, first, as: client).json["refresh_token"] as? String)
            try await Self.withOtherReplica(h) { other in
                let rotated = try await TokenFixtures.refresh(other, second, as: client)
                #expect(rotated.status == .ok)
                let third = try #require(rotated.json["refresh_token"] as? String)

                let reuse = try await TokenFixtures.refresh(h, second, as: client)
                #expect(reuse.status == .badRequest)
                #expect(reuse.oauthErrorCode == "invalid_grant")
                #expect(try await TokenFixtures.grant(h, grant).status == .revoked)
                #expect(try await TokenFixtures.grant(h, grant).revocationReason == .reuseDetected)

                let afterRevocation = try await TokenFixtures.refresh(other, third, as: client)
                #expect(afterRevocation.oauthErrorCode == "invalid_grant")
                #expect(try await Self.rotations(h) == 2)
            }
        }
    }
}
