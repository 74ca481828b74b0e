import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("The event log is append-only at the database level (I2)")
struct AppendOnlyTests {
    static let changes = [
        "UPDATE events SET type = 'forged' WHERE seq = 3",
        "UPDATE events SET data = '{}'::jsonb",
        "DELETE FROM events WHERE seq = 3",
        "DELETE FROM events",
        "TRUNCATE events",
    ]

    @Test("the trigger refuses UPDATE, DELETE and TRUNCATE even to the superuser; rows stay unchanged", arguments: changes)
    func triggerRefusesSuperuser(_ change: String) async throws {
        try await TestDatabase.withLedger { ledger in
            _ = try await GrantFixtures.activeGrant(in: ledger.primary.grants, context: testContext)
            _ = try await GrantFixtures.activeGrant(in: ledger.primary.grants, context: testContext)
            #expect(try await ledger.admin.texts("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user") == ["true"])
            let before = try await ledger.admin.texts("SELECT t::text FROM events t ORDER BY seq")
            #expect(before.count == 10)

            let message = await expectSQLState("42501") { try await ledger.admin.exec(change) }
            #expect(message.contains("append-only"), "refused by something other than the trigger: \(message)")

            #expect(try await ledger.admin.texts("SELECT t::text FROM events t ORDER BY seq") == before)
            try await ledger.expectIntact(count: 10)
        }
    }

    @Test("the application role holds SELECT and INSERT on events but not UPDATE, DELETE or TRUNCATE")
    func applicationRolePrivileges() async throws {
        try await TestDatabase.withLedger { ledger in
            let privileges = try await ledger.admin.texts(
                """
                SELECT p || '=' || has_table_privilege('tokenledger_app', 'events', p)::text
                FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
                """
            )
            #expect(privileges == [
                "SELECT=true", "INSERT=true", "UPDATE=false", "DELETE=false", "TRUNCATE=false", "REFERENCES=false",
                "TRIGGER=false",
            ])
            // The table owner is not the application role, so it cannot drop the trigger or grant itself more.
            #expect(try await ledger.admin.texts("SELECT pg_has_role('tokenledger_app', tableowner, 'USAGE')::text FROM pg_tables WHERE tablename = 'events'") == ["false"])
        }
    }

    @Test("as the application role, UPDATE, DELETE and TRUNCATE fail with permission denied; SELECT and INSERT work")
    func applicationRoleRefused() async throws {
        try await TestDatabase.withLedger { ledger in
            _ = try await GrantFixtures.activeGrant(in: ledger.primary.grants, context: testContext)
            let before = try await ledger.admin.texts("SELECT t::text FROM events t ORDER BY seq")
            #expect(before.count == 5)

            try await ledger.admin.withConnection { connection in
                try await connection.exec("SET ROLE tokenledger_app")
                do {
                    #expect(try await connection.texts("SELECT current_user::text") == ["tokenledger_app"])
                    #expect(try await connection.texts("SELECT count(*)::text FROM events") == ["5"])
                    for change in ["UPDATE events SET type = 'forged' WHERE seq = 1", "DELETE FROM events WHERE seq = 5", "TRUNCATE events"] {
                        let message = await expectSQLState("42501") { try await connection.exec(change) }
                        #expect(message.contains("permission denied"), "\(change): \(message)")
                    }
                    // INSERT is allowed (inside a transaction we roll back, so the log stays as it was).
                    try await connection.exec("BEGIN")
                    try await connection.exec(
                        """
                        INSERT INTO events (seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash)
                        VALUES (1000, 'probe/x', 1, 'probe', '{}', '{}', now(), decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'))
                        """
                    )
                    #expect(try await connection.texts("SELECT count(*)::text FROM events") == ["6"])
                    try await connection.exec("ROLLBACK")
                    // Nor can the role switch the trigger off.
                    await expectSQLState("42501") { try await connection.exec("SET session_replication_role = replica") }
                } catch {
                    try? await connection.exec("ROLLBACK")
                    try await connection.exec("RESET ROLE")
                    throw error
                }
                try await connection.exec("RESET ROLE")
            }
            #expect(try await ledger.admin.texts("SELECT t::text FROM events t ORDER BY seq") == before)
            try await ledger.expectIntact(count: 5)
        }
    }

    @Test("a service logging in with only the application role can run the whole write path")
    func serviceRunsAsApplicationRole() async throws {
        try await TestDatabase.withLedger { ledger in
            let role = "tl_app_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
            try await ledger.admin.exec("CREATE ROLE \(role) LOGIN IN ROLE tokenledger_app")
            let outcome = await Result { () async throws -> Int64 in
                var url = URLComponents(string: ledger.url)!
                url.user = role
                return try await withClient(url: url.string!) { client in
                    let writer = EventWriter(client: client, logger: testLogger)
                    return try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { await writer.run() }
                        defer { group.cancelAll() }
                        let store = GrantStore(client: client, writer: writer, logger: testLogger)
                        let (grant, refresh) = try await GrantFixtures.activeGrant(in: store, context: testContext)
                        let rotated = try await store.execute(
                            GrantFixtures.refresh(refresh, generation: 1), on: grant, context: testContext, metadata: .system
                        )
                        #expect(rotated.decision.refusal == nil)
                        let revoked = try await store.execute(.revoke(reason: .admin), on: grant, context: testContext, metadata: .system)
                        #expect(revoked.after?.status == .revoked)
                        await expectSQLState("42501") { try await client.exec("DELETE FROM events") }
                        return try await client.ints("SELECT count(*) FROM events")[0]
                    }
                }
            }
            try await ledger.admin.exec("DROP ROLE \(role)")
            #expect(try outcome.get() == 8)
            try await ledger.expectIntact(count: 8)
        }
    }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
