import ArgumentParser
import AsyncHTTPClient
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import Logging
import PostgresNIO

/// `tokenledger-bench storage`: bytes per token in the log and in each live projection. Issues N
/// `client_credentials` tokens, then N logins (a code redeemed for an access, ID and refresh
/// token) each refreshed R times, all over HTTP, and prints what each kind added to every
/// table: heap (with TOAST) and indexes, divided by N. Then it lets every token expire (the
/// sweeper runs at a time past them all) and prints what the live projections still hold.
struct StorageBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "storage", abstract: "Bytes per token in the log and in each projection.")

    @Option(help: "Tokens (and logins) of each kind.")
    var tokens = 20_000

    @Option(help: "Refresh rotations per login.")
    var rotations = 3

    @Option(help: "Requests in flight.")
    var concurrency = 8

    @Flag(help: "A few-second run for CI.")
    var smoke = false

    static let tables = ["events", "grants", "refresh_tokens", "authorization_codes", "denylist", "aggregates", "refresh_grace"]

    func run() async throws {
        let count = smoke ? 400 : tokens
        let rotations = self.rotations
        let concurrency = self.concurrency
        var quiet = Logger(label: "bench.storage")
        quiet.logLevel = .error
        let logger = quiet
        try await TestDatabase.withLedger(poolSize: 12) { ledger in
            try await BenchStack.with(ledger) { stack in
                let http = HTTPClient.shared
                let client = try await stack.registerClient(http, scope: "openid offline_access")
                let start = try await Self.sizes(ledger.admin, logger: logger)
                try await Self.inParallel(count, width: concurrency) { _ in
                    try await stack.token(http, client: client, ["grant_type": "client_credentials", "scope": "openid"])
                }
                let afterCredentials = try await Self.sizes(ledger.admin, logger: logger)
                Self.report("client_credentials token", count: count, from: start, to: afterCredentials)

                let chains = try await stack.seedRefreshChains(http, client: client, count: count)
                try await Self.inParallel(count, width: concurrency) { index in
                    for _ in 0..<rotations {
                        let presented = await chains.token(index)
                        let response = try await stack.token(http, client: client, ["grant_type": "refresh_token", "refresh_token": presented])
                        guard let next = response["refresh_token"] as? String else { throw BenchError("no refresh token") }
                        await chains.set(index, next)
                    }
                }
                let afterLogins = try await Self.sizes(ledger.admin, logger: logger)
                Self.report("login (code + \(rotations) rotations)", count: count, from: afterCredentials, to: afterLogins)

                let past = Instant.current().adding(.seconds(366 * 24 * 3600))
                let swept = try await ProjectionSweeper(client: ledger.admin, logger: logger).sweep(at: past)
                print("after every token expired, one sweep removed \(swept.total) rows (grants \(swept.grants), refresh tokens \(swept.refreshTokens), codes \(swept.codes), deny-list \(swept.denyEntries), aggregates \(swept.aggregates))")
                let left = try await Self.liveBytes(ledger.admin, logger: logger)
                for table in Self.tables where table != "events" {
                    print("  " + table.padding(toLength: 20, withPad: " ", startingAt: 0) + "rows left \(left[table]?.rows ?? 0), \(left[table]?.bytes ?? 0) B of row data")
                }
                print(String(format: "  live projection bytes per expired token: %.1f B", Double(left.filter { $0.key != "aggregates" }.values.map(\.bytes).reduce(0, +)) / Double(2 * count)))
            }
        }
    }

    /// Heap (with TOAST) and index bytes of each table.
    static func sizes(_ admin: PostgresClient, logger: Logger) async throws -> [String: (heap: Int64, indexes: Int64)] {
        let rows = try await admin.query(
            "SELECT relname::text, pg_table_size(oid), pg_indexes_size(oid) FROM pg_class WHERE relkind = 'r' AND relname = ANY(\(tables))",
            logger: logger
        )
        var sizes: [String: (heap: Int64, indexes: Int64)] = [:]
        for try await (name, heap, indexes) in rows.decode((String, Int64, Int64).self) { sizes[name] = (heap, indexes) }
        return sizes
    }

    /// The rows each projection still holds, and their bytes (`pg_column_size` of each row).
    static func liveBytes(_ admin: PostgresClient, logger: Logger) async throws -> [String: (rows: Int64, bytes: Int64)] {
        var result: [String: (rows: Int64, bytes: Int64)] = [:]
        for table in tables where table != "events" {
            let rows = try await admin.query(
                PostgresQuery(unsafeSQL: "SELECT count(*), coalesce(sum(pg_column_size(t.*)), 0)::bigint FROM \(table) t"), logger: logger
            )
            for try await (count, bytes) in rows.decode((Int64, Int64).self) { result[table] = (count, bytes) }
        }
        return result
    }

    static func report(_ kind: String, count: Int, from: [String: (heap: Int64, indexes: Int64)], to: [String: (heap: Int64, indexes: Int64)]) {
        print("per \(kind) (\(count)):")
        var projections: Int64 = 0
        for table in tables {
            let heap = (to[table]?.heap ?? 0) - (from[table]?.heap ?? 0)
            let indexes = (to[table]?.indexes ?? 0) - (from[table]?.indexes ?? 0)
            guard heap + indexes > 0 else { continue }
            if table != "events" { projections += heap + indexes }
            let figures = String(
                format: "heap %6.0f B  indexes %6.0f B  total %6.0f B", Double(heap) / Double(count), Double(indexes) / Double(count),
                Double(heap + indexes) / Double(count)
            )
            print("  " + table.padding(toLength: 20, withPad: " ", startingAt: 0) + figures)
        }
        print(String(format: "  live projections together: %.0f B", Double(projections) / Double(count)))
    }

    /// Runs `body(0..<count)` with `width` in flight.
    static func inParallel(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(width, count) {
                let index = next
                next += 1
                group.addTask { try await body(index) }
            }
            while try await group.next() != nil {
                guard next < count else { continue }
                let index = next
                next += 1
                group.addTask { try await body(index) }
            }
        }
    }
}
