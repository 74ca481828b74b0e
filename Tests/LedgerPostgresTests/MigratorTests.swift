import Foundation
@testable import LedgerPostgres
import LedgerTesting
import PostgresNIO
import Testing

@Suite("Migrations (docs/event-log.md)")
struct MigratorTests {
    /// Runs `body` with a client on a new, empty database, dropped afterwards.
    static func withEmptyDatabase(_ body: @Sendable (_ url: String) async throws -> Void) async throws {
        let name = "tl_mig_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await withClient(url: TestEnvironment.adminDatabaseURL) { try await $0.exec("CREATE DATABASE \(name)") }
        let outcome = await Result { try await body(TestDatabase.url(database: String(name))) }
        try await withClient(url: TestEnvironment.adminDatabaseURL) { try await $0.exec("DROP DATABASE \(name) WITH (FORCE)") }
        try outcome.get()
    }

    @Test("the bundled migrations are numbered 1…n without gaps, starting with the event log")
    func bundled() throws {
        let migrations = try Migrator().migrations
        #expect(migrations.count >= 3)
        #expect(migrations.map(\.version) == Array(1...migrations.count))
        #expect(Array(migrations.map(\.name).prefix(3)) == ["0001_event_log.sql", "0002_projections.sql", "0003_application_role.sql"])
    }

    @Test("migrating an already migrated database applies nothing and keeps the record")
    func idempotent() async throws {
        try await TestDatabase.withLedger { ledger in
            let migrator = try Migrator()
            let before = try await ledger.admin.texts("SELECT version || ' ' || name FROM schema_migrations ORDER BY version")
            #expect(before == migrator.migrations.map { "\($0.version) \($0.name)" })
            #expect(try await migrator.migrate(ledger.admin, logger: testLogger) == [])
            #expect(try await migrator.migrate(ledger.admin, logger: testLogger) == [])
            #expect(try await ledger.admin.texts("SELECT version || ' ' || name FROM schema_migrations ORDER BY version") == before)
        }
    }

    @Test("two migrators racing on an empty database apply each file exactly once")
    func concurrentOnEmptyDatabase() async throws {
        try await Self.withEmptyDatabase { url in
            let migrator = try Migrator()
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<2 {
                    group.addTask { try await withClient(url: url) { try await migrator.migrate($0, logger: testLogger) } }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let names = migrator.migrations.map(\.name)
            #expect(applied.sorted { $0.count < $1.count } == [[], names])
            try await withClient(url: url) { (client) async throws -> Void in
                #expect(try await client.ints("SELECT version FROM schema_migrations ORDER BY version") == names.indices.map { Int64($0 + 1) })
                #expect(try await client.texts("SELECT seq::text FROM ledger_head") == ["0"])
            }
        }
    }

    @Test("a failing migration is rolled back whole and not recorded; the ones before it stay")
    func failingMigration() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tl-mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "CREATE TABLE first_table (id int);".write(to: directory.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE second_table (id int);\nINSERT INTO second_table VALUES (1);\nSELECT 1 / 0;"
            .write(to: directory.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        let migrator = try Migrator(directory: directory)
        #expect(migrator.migrations.map(\.name) == ["0001_first.sql", "0002_second.sql"])

        try await Self.withEmptyDatabase { url in
            try await withClient(url: url) { (client) async throws -> Void in
                await expectStoreError(.migration) { try await migrator.migrate(client, logger: testLogger) }
                #expect(try await client.ints("SELECT version FROM schema_migrations") == [1])
                #expect(try await client.texts("SELECT coalesce(to_regclass('first_table')::text, '-')") == ["first_table"])
                #expect(try await client.texts("SELECT coalesce(to_regclass('second_table')::text, '-')") == ["-"])
                // The advisory lock was released: another run proceeds (and fails the same way).
                await expectStoreError(.migration) { try await migrator.migrate(client, logger: testLogger) }
            }
        }
    }
}

@Suite("Splitting migration scripts into statements")
struct SQLScriptTests {
    @Test("semicolons inside single-quoted strings (with doubled quotes) and quoted identifiers do not split")
    func quotes() {
        #expect(SQLScript.statements("SELECT 'a;b'; SELECT 2;") == ["SELECT 'a;b'", "SELECT 2"])
        #expect(SQLScript.statements("SELECT 'it''s; here' AS x;SELECT \"we;ird\" FROM t") == ["SELECT 'it''s; here' AS x", "SELECT \"we;ird\" FROM t"])
        // Standard-conforming strings: a backslash is an ordinary character.
        #expect(SQLScript.statements(#"SELECT 'C:\'; SELECT 2"#) == [#"SELECT 'C:\'"#, "SELECT 2"])
    }

    @Test("escape strings E'…' honour backslash-escaped quotes")
    func escapeStrings() {
        #expect(SQLScript.statements(#"SELECT E'it\'s; tricky'; SELECT 2"#) == [#"SELECT E'it\'s; tricky'"#, "SELECT 2"])
        #expect(SQLScript.statements(#"SELECT e'a\\'; SELECT 2"#) == [#"SELECT e'a\\'"#, "SELECT 2"])
    }

    @Test("semicolons inside $$ … $$ and $tag$ … $tag$ bodies do not split")
    func dollarQuotes() {
        let function = """
            CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM 1; PERFORM ';';
            END;
            $$;
            SELECT f();
            """
        let statements = SQLScript.statements(function)
        #expect(statements.count == 2)
        #expect(statements.first?.hasPrefix("CREATE FUNCTION f()") == true && statements.first?.hasSuffix("END;\n$$") == true)
        #expect(statements.last == "SELECT f()")

        let nested = "DO $outer$ BEGIN EXECUTE $$SELECT 1; SELECT 2$$; END $outer$; SELECT 3"
        #expect(SQLScript.statements(nested) == ["DO $outer$ BEGIN EXECUTE $$SELECT 1; SELECT 2$$; END $outer$", "SELECT 3"])
        #expect(SQLScript.statements("SELECT $body_1$a;b$body_1$;SELECT 2") == ["SELECT $body_1$a;b$body_1$", "SELECT 2"])
    }

    @Test("$1 parameters and $ inside identifiers are not dollar quotes")
    func parametersAndIdentifiers() {
        #expect(SQLScript.statements("PREPARE q(int, int) AS SELECT $1 + $2; EXECUTE q(1, 2)") == ["PREPARE q(int, int) AS SELECT $1 + $2", "EXECUTE q(1, 2)"])
        #expect(SQLScript.statements("SELECT $1;SELECT $10") == ["SELECT $1", "SELECT $10"])
        #expect(SQLScript.statements("SELECT a$b$c FROM t; SELECT 2") == ["SELECT a$b$c FROM t", "SELECT 2"])
        #expect(SQLScript.statements("SELECT x$$ FROM t; SELECT 2") == ["SELECT x$$ FROM t", "SELECT 2"])
    }

    @Test("semicolons in -- and /* */ comments do not split; comment-only chunks are dropped")
    func comments() {
        let script = """
            -- first; comment
            SELECT 1; -- trailing; comment
            /* block; comment */ SELECT 2;
            /* outer /* nested; */ still; comment */ SELECT 3;
            -- only a comment;
            /* and a block; */
            """
        #expect(SQLScript.statements(script) == [
            "-- first; comment\nSELECT 1",
            "-- trailing; comment\n/* block; comment */ SELECT 2",
            "/* outer /* nested; */ still; comment */ SELECT 3",
        ])
        #expect(SQLScript.statements("SELECT '--not a comment'; SELECT '/*'; SELECT 2") == ["SELECT '--not a comment'", "SELECT '/*'", "SELECT 2"])
        #expect(SQLScript.statements("  ;\n; -- nothing\n") == [])
    }

    @Test("the bundled migrations split into whole statements, each starting with a keyword")
    func bundledMigrationsSplit() throws {
        let keywords: Set<String> = ["CREATE", "INSERT", "GRANT", "REVOKE", "DO", "ALTER", "COMMENT", "DROP", "SELECT", "UPDATE", "DELETE"]
        for migration in try Migrator().migrations {
            let statements = SQLScript.statements(migration.sql)
            #expect(!statements.isEmpty, "\(migration.name)")
            for statement in statements {
                let code = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                let keyword = code.first.map { String($0.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter }) } ?? ""
                #expect(keywords.contains(keyword.uppercased()), "\(migration.name): \(statement.prefix(80))")
            }
        }
    }
}
