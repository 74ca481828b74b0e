import ArgumentParser
import Foundation
import LedgerPostgres
import LedgerTesting
import Logging
import PostgresNIO

/// `tokenledger-bench export`: grows a benchmark log to N events (kept between runs), then
/// times the real `tokenledger export` for NDJSON and CSV (events/s, peak RSS of the process)
/// and `tokenledger audit verify`, offline over the export and over the database.
struct ExportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export and audit-verify throughput on a large log."
    )

    @Option(help: "Events in the benchmark log (it is generated once and extended as needed).")
    var events: Int64 = 5_000_000

    @Option(help: "The benchmark database on the services' PostgreSQL (created if missing).")
    var database = "tokenledger_bench_export"

    @Option(help: "Where the export files go (deleted afterwards).")
    var directory = NSTemporaryDirectory()

    @Flag(help: "A few-second run for CI on a 20,000-event log.")
    var smoke = false

    func run() async throws {
        var logger = Logger(label: "bench.export")
        logger.logLevel = .error
        let name = smoke ? database + "_smoke" : database
        let target = smoke ? 20_000 : events
        try await Self.createIfMissing(name, logger: logger)
        let url = TestDatabase.url(database: name)
        let client = PostgresClient(configuration: try DatabaseURL(url).configuration, backgroundLogger: logger)
        let head = try await withThrowingTaskGroup(of: Int64?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            try await Migrator().migrate(client, logger: logger)
            let generator = BenchLogGenerator(client: client, logger: logger)
            let started = ContinuousClock.now
            let added = try await generator.extend(to: target)
            if added > 0 {
                let seconds = (ContinuousClock.now - started).seconds
                print(String(format: "generated %lld events in %.1f s (%.0f events/s)", added, seconds, Double(added) / seconds))
            }
            return try await LogHead.read(client, logger: logger).seq
        }
        let count = min(target, head)
        print("export benchmark: \(count) events in \(name)")

        let tokenledger = try Self.siblingExecutable("tokenledger")
        var environment = ProcessInfo.processInfo.environment
        environment["TOKENLEDGER_DATABASE_URL"] = url
        environment["TOKENLEDGER_KEY_SECRET"] = environment["TOKENLEDGER_KEY_SECRET"] ?? "tokenledger-bench-export-key-secret"
        let base = URL(fileURLWithPath: directory).appendingPathComponent("tokenledger-bench-export").path
        let jwks = base + ".jwks.json"
        defer {
            for suffix in [".ndjson", ".csv", ".ndjson.manifest.json", ".csv.manifest.json", ".jwks.json"] {
                try? FileManager.default.removeItem(atPath: base + suffix)
            }
        }
        // CSV first, and its file removed once measured: gigabytes of dirty pages left behind by
        // one export would slow the next one's writes. The NDJSON file stays for the offline check.
        for format in ["csv", "ndjson"] {
            let outcome = try await ChildProcess(
                executable: tokenledger,
                arguments: [
                    "export", "--format", format, "--to-seq", String(count), "--output", "\(base).\(format)",
                    "--manifest", "\(base).\(format).manifest.json", "--jwks-output", jwks,
                ],
                environment: environment
            ).run()
            let size = (try FileManager.default.attributesOfItem(atPath: "\(base).\(format)")[.size] as? Int) ?? 0
            print(Self.line("export \(format)", count, outcome) + String(format: ", file %.0f MB", Double(size) / 1e6))
            if format == "csv" { try? FileManager.default.removeItem(atPath: "\(base).csv") }
        }
        let offline = try await ChildProcess(
            executable: tokenledger,
            arguments: ["audit", "verify", "--export", "\(base).ndjson", "--manifest", "\(base).ndjson.manifest.json", "--jwks", jwks],
            environment: environment
        ).run()
        print(Self.line("audit verify --export (ndjson, chain re-walked)", count, offline))
        let online = try await ChildProcess(
            executable: tokenledger, arguments: ["audit", "verify", "--to", String(count)], environment: environment
        ).run()
        print(Self.line("audit verify (database)", count, online))
    }

    private static func line(_ name: String, _ count: Int64, _ outcome: ChildProcess.Outcome) -> String {
        String(
            format: "%@: %.0f events/s (%.1f s for %lld events), peak RSS %.1f MB",
            name, Double(count) / outcome.seconds, outcome.seconds, count, Double(outcome.peakResidentBytes) / 1_048_576
        )
    }

    /// The `tokenledger` binary built next to this one.
    private static func siblingExecutable(_ name: String) throws -> String {
        let me = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let path = me.deletingLastPathComponent().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError("\(path) is missing: build every product (`swift build -c release`)")
        }
        return path
    }

    private static func createIfMissing(_ name: String, logger: Logger) async throws {
        let admin = PostgresClient(configuration: try DatabaseURL(TestEnvironment.adminDatabaseURL).configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            let rows = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)", logger: logger)
            var exists = false
            for try await _ in rows { exists = true }
            if !exists { try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\""), logger: logger) }
        }
    }
}
