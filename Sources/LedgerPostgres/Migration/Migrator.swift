import Foundation
import Logging
import PostgresNIO

/// Applies the numbered SQL files of `Schema/` in order, each once, recording them in
/// `schema_migrations`. Idempotent; serialized across processes by an advisory lock.
package struct Migrator: Sendable {
    /// One migration file.
    package struct Migration: Sendable, Hashable {
        /// The number the file name starts with.
        package var version: Int
        /// The file name.
        package var name: String
        /// The SQL text.
        package var sql: String
    }

    /// The migrations, sorted by version.
    package let migrations: [Migration]

    /// Loads the migrations bundled with this module (a copy of the repository's `Schema/`).
    package init() throws(LedgerStoreError) {
        guard let directory = Bundle.module.url(forResource: "Schema", withExtension: nil) else {
            throw LedgerStoreError(.migration, "the Schema resource is missing from the bundle")
        }
        try self.init(directory: directory)
    }

    /// Loads `NNNN_name.sql` files from a directory.
    package init(directory: URL) throws(LedgerStoreError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw LedgerStoreError(.migration, "cannot list \(directory.path): \(error)")
        }
        var migrations: [Migration] = []
        for name in names where name.hasSuffix(".sql") {
            guard let version = Int(name.prefix(while: \.isNumber)) else {
                throw LedgerStoreError(.migration, "\(name) does not start with a number")
            }
            let sql: String
            do {
                sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            } catch {
                throw LedgerStoreError(.migration, "cannot read \(name): \(error)")
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies every migration not yet recorded; returns the names applied now.
    @discardableResult
    package func migrate(_ client: PostgresClient, logger: Logger) async throws(LedgerStoreError) -> [String] {
        do {
            return try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(7419001)", logger: logger)
                do {
                    let applied = try await apply(on: connection, logger: logger)
                    try await connection.query("SELECT pg_advisory_unlock(7419001)", logger: logger)
                    return applied
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(7419001)", logger: logger)
                    throw error
                }
            }
        } catch let error as LedgerStoreError {
            throw error
        } catch {
            throw LedgerStoreError(.migration, "migration failed: \(PostgresErrorSummary(error))")
        }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """,
            logger: logger
        )
        var done = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(Int.self) {
            done.insert(version)
        }
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.version) {
            do {
                try await connection.query("BEGIN", logger: logger)
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw LedgerStoreError(.migration, "\(migration.name): \(PostgresErrorSummary(error))")
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            applied.append(migration.name)
        }
        return applied
    }
}
