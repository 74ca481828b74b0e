import Foundation
import LedgerPostgres
import Logging
import PostgresNIO

/// A throwaway, fully migrated database per test, cloned from a template that is migrated once
/// per test process (`CREATE DATABASE … TEMPLATE`), and dropped afterwards.
package enum TestDatabase {
    /// A running replica of the service's storage: its own client pool and its own writer.
    package struct Replica: Sendable {
        package let client: PostgresClient
        package let writer: EventWriter
        package let grants: GrantStore
    }

    /// What a test gets.
    package struct Ledger: Sendable {
        /// The database name.
        package let name: String
        /// URL of the database, as the superuser.
        package let url: String
        /// Replicas sharing the database (at least one).
        package let replicas: [Replica]
        /// The first replica.
        package var primary: Replica { replicas[0] }
        /// A superuser client on the database for inspection and tampering.
        package var admin: PostgresClient { replicas[0].client }
    }

    /// Runs `body` against a fresh migrated database with `replicas` independent writer stacks.
    package static func withLedger<T: Sendable>(
        replicas count: Int = 1, writerConfiguration: EventWriter.Configuration = .init(), poolSize: Int = 12,
        _ body: @Sendable (Ledger) async throws -> T
    ) async throws -> T {
        // Hundreds of parallel tests on two cores (each cloning a database) can make opening a
        // connection take longer than the service's outage bound; tests of that bound set
        // their own.
        PostgresClient.setLeaseWait(testLeaseWait)
        var writerConfiguration = writerConfiguration
        writerConfiguration.connectionWait = testLeaseWait
        let name = try await Template.shared.clone()
        let url = Self.url(database: name)
        var logger = Logger(label: "test.\(name)")
        logger.logLevel = .error
        let replicas = try (0..<max(count, 1)).map { _ in
            // Small pools by default: test suites run in parallel against one server.
            var configuration = try DatabaseURL(url).configuration
            configuration.options.maximumConnections = poolSize
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            let writer = EventWriter(client: client, logger: logger, configuration: writerConfiguration)
            return Replica(client: client, writer: writer, grants: GrantStore(client: client, writer: writer, logger: logger))
        }
        let outcome = await Result(catching: { () async throws -> T in
            try await withThrowingTaskGroup(of: T?.self) { group in
                for replica in replicas {
                    group.addTask { await replica.client.run(); return nil }
                    group.addTask { await replica.writer.run(); return nil }
                }
                defer { group.cancelAll() }
                return try await body(Ledger(name: name, url: url, replicas: replicas))
            }
        })
        try await Template.shared.drop(name)
        return try outcome.get()
    }

    /// How long tests wait for a database connection.
    package static let testLeaseWait: Duration = .seconds(60)

    /// URL of a database on the test cluster.
    package static func url(database: String) -> String {
        var components = URLComponents(string: TestEnvironment.adminDatabaseURL)!
        components.path = "/" + database
        return components.string!
    }

    /// Creates and migrates the template once, then clones it.
    actor Template {
        static let shared = Template()
        private var name: String?
        private let logger: Logger = {
            var logger = Logger(label: "test.template")
            logger.logLevel = .error
            return logger
        }()

        func clone() async throws -> String {
            let template = try await prepare()
            let name = "tl_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
            // The template's last session may still be closing: retry while it is "in use".
            for attempt in 1...50 {
                do {
                    try await admin { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: self.logger) }
                    break
                } catch where attempt < 50 {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            return String(name)
        }

        func drop(_ name: String) async throws {
            try await admin { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: self.logger) }
        }

        /// The template, created by the first caller. Concurrent tests await the same task: the
        /// actor is reentrant across `await`, so a plain `if name == nil` check would let every
        /// parallel test drop and recreate the template under the others.
        private var preparing: Task<String, any Error>?

        private func prepare() async throws -> String {
            if let name { return name }
            if let preparing { return try await preparing.value }
            let logger = self.logger
            let task = Task { try await Self.createTemplate(logger: logger) }
            preparing = task
            do {
                let name = try await task.value
                self.name = name
                return name
            } catch {
                preparing = nil
                throw error
            }
        }

        private static func createTemplate(logger: Logger) async throws -> String {
            let name = templatePrefix + String(ProcessInfo.processInfo.processIdentifier)
            try await with(url: TestEnvironment.adminDatabaseURL, logger: logger) { client in
                for stale in try await orphanedTemplates(client, logger: logger) + [name] {
                    try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(stale) WITH (FORCE)"), logger: logger)
                }
                try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
            try await with(url: TestDatabase.url(database: name), logger: logger) { client in
                try await Migrator().migrate(client, logger: logger)
            }
            return name
        }

        private static let templatePrefix = "tl_template_"

        /// Templates left by test processes that have exited: a process cannot drop its own
        /// template on exit, so each new one clears those of processes no longer running.
        private static func orphanedTemplates(_ client: PostgresClient, logger: Logger) async throws -> [String] {
            let rows = try await client.query("SELECT datname FROM pg_database WHERE starts_with(datname, \(templatePrefix))", logger: logger)
            var orphans: [String] = []
            for try await name in rows.decode(String.self) {
                guard let pid = Int32(name.dropFirst(templatePrefix.count)) else { continue }
                if kill(pid, 0) != 0, errno == ESRCH { orphans.append(name) }
            }
            return orphans
        }

        private func admin(_ body: @Sendable (PostgresClient) async throws -> Void) async throws {
            try await Self.with(url: TestEnvironment.adminDatabaseURL, logger: logger, body)
        }

        private static func with(url: String, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> Void) async throws {
            let client = PostgresClient(configuration: try DatabaseURL(url).configuration, backgroundLogger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await body(client)
            }
        }
    }
}

extension Result where Failure == any Error {
    /// Captures the outcome of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
