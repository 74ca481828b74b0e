import Foundation
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import Testing
import LedgerService

/// Each revocation is signed once: the relay's read and the feed share `broadcast_messages`.
@Suite struct RevocationLogSigningTests {
    @Test func aRevocationIsSignedOnceAndTheFeedAnswersWhatTheRelayRead() async throws {
        try await TestDatabase.withLedger { ledger in
            let log = try await Self.log(ledger)
            let first = try await RevocationFixtures.append(.grant, to: ledger.primary.writer)
            let second = try await RevocationFixtures.append(.subject, to: ledger.primary.writer)
            let relayed = try await ledger.primary.client.withConnection { connection in
                let batch = try await log.read(after: 0, limit: 10, now: Instant.current(), on: connection)
                #expect(batch.fresh.count == 2)
                #expect(batch.superseded(by: try await log.store(batch.fresh, on: connection)).isEmpty)
                // Read again: nothing to sign, the same strings.
                let again = try await log.read(after: 0, limit: 10, now: Instant.current(), on: connection)
                #expect(again.fresh.isEmpty)
                #expect(again.items == batch.items)
                return batch.items
            }
            #expect(relayed.map(\.seq) == [first, second])
            #expect(relayed.map(\.prevSeq) == [0, first])
            let feed = try await log.live(after: 0, now: Instant.current(), limit: 10)
            #expect(feed.items == relayed)
        }
    }

    @Test func whenTheFeedStoresFirstTheRelayPublishesTheStoredSignatureToo() async throws {
        try await TestDatabase.withLedger { ledger in
            let log = try await Self.log(ledger)
            let seq = try await RevocationFixtures.append(.token, to: ledger.primary.writer)
            try await ledger.primary.client.withConnection { connection in
                let batch = try await log.read(after: 0, limit: 10, now: Instant.current(), on: connection)
                // The feed signs and stores the same revocation between the relay's read and its store.
                let feed = try await log.live(after: 0, now: Instant.current(), limit: 10)
                #expect(feed.items.map(\.seq) == [seq])
                #expect(feed.items[0].message != batch.items[0].message)
                let superseded = batch.superseded(by: try await log.store(batch.fresh, on: connection))
                #expect(superseded == feed.items)
            }
        }
    }

    static func log(_ ledger: TestDatabase.Ledger) async throws -> RevocationLog {
        var logger = Logger(label: "test.revocation-log")
        logger.logLevel = .error
        let keys = try await KeyRing.started(on: ledger.primary, logger: logger)
        return RevocationLog(
            client: ledger.primary.client, signer: KeyRingBroadcastSigner(issuer: RelayHarness.issuer, keys: keys), logger: logger
        )
    }
}
