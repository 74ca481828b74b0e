import Foundation
import LedgerDomain
import LedgerTesting
import PostgresNIO
import Testing

/// The SQL that picks revocations out of the log (the `revocation_events` view and its two
/// partial indexes, `Schema/0005_relay.sql`) lists exactly the domain's revoking event types.
@Suite struct RevocationTypeListTests {
    @Test func theViewAndItsIndexesListTheDomainsRevokingTypes() async throws {
        try await TestDatabase.withLedger { ledger in
            let definitions = try await ledger.admin.query(
                """
                SELECT pg_get_viewdef('revocation_events'::regclass) UNION ALL
                SELECT indexdef FROM pg_indexes WHERE indexname IN ('events_revocations_seq', 'events_revocations_until')
                """
            ).collect().map { try $0.decode(String.self) }
            #expect(definitions.count == 3)
            for definition in definitions {
                #expect(Self.typeNames(in: definition) == Set(Revocation.eventTypeNames), "\(definition)")
            }
        }
    }

    /// The dotted event type names quoted in a definition, e.g. `'grant.revoked'::text`.
    private static func typeNames(in definition: String) -> Set<String> {
        let pattern = try! NSRegularExpression(pattern: "'([a-z_]+(\\.[a-z_]+)+)'")
        let range = NSRange(definition.startIndex..., in: definition)
        return Set(pattern.matches(in: definition, range: range).compactMap { Range($0.range(at: 1), in: definition).map { String(definition[$0]) } })
    }
}
