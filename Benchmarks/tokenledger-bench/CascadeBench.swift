import ArgumentParser
import AsyncHTTPClient
import Foundation
import LedgerPostgres
import LedgerTesting
import Logging
import PostgresNIO

/// `tokenledger-bench cascade`: a client- and a subject-wide revocation over a client and a
/// subject holding N grants. The grants are written straight into the `grants` projection (the
/// revocation reads none of them: its watermark covers them), then each revocation is timed
/// through the admin API, and the events it appended and the size of its answer are counted.
struct CascadeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cascade", abstract: "Revoke a client / a subject holding N grants: latency, events appended, answer size."
    )

    @Option(help: "Grants held by the client and the subject.")
    var grants = 1_000_000

    @Option(help: "Revocations of each kind to time.")
    var repeats = 5

    @Flag(help: "A few-second run for CI.")
    var smoke = false

    func run() async throws {
        let count = smoke ? 10_000 : grants
        let repeats = smoke ? 2 : self.repeats
        var quiet = Logger(label: "bench.cascade")
        quiet.logLevel = .error
        let logger = quiet
        try await TestDatabase.withLedger(poolSize: 8) { ledger in
            try await BenchStack.with(ledger) { stack in
                let http = HTTPClient.shared
                let client = try await stack.registerClient(http, scope: "openid")
                let clock = ContinuousClock()
                let started = clock.now
                try await Self.seed(ledger.admin, grants: count, client: client.id, logger: logger)
                print("cascade: \(count) grants of client \(client.id) and subject bench-subject seeded in \(String(format: "%.1f", (clock.now - started).seconds)) s")
                for (name, body) in [("client", #"{"client_id":"\#(client.id)"}"#), ("subject", #"{"subject":"bench-subject"}"#)] {
                    var latencies: [Double] = []
                    var appended: [Int64] = []
                    var answerBytes = 0
                    for _ in 0..<repeats {
                        let before = try await LogHead.read(ledger.admin, logger: logger).seq
                        let sent = clock.now
                        let (status, answer) = try await stack.live.admin("/admin/revocations", json: body, http: http)
                        latencies.append((clock.now - sent).seconds)
                        guard status == 200 else { throw BenchError("revocation answered \(status)") }
                        appended.append(try await LogHead.read(ledger.admin, logger: logger).seq - before)
                        answerBytes = try JSONSerialization.data(withJSONObject: answer).count
                    }
                    let sorted = latencies.sorted()
                    print(String(
                        format: "revoke %@ holding %d grants: p50 %.2f ms, max %.2f ms over %d; events appended per call: %@; answer %d bytes",
                        name, count, sorted[sorted.count / 2] * 1000, sorted.last! * 1000, repeats,
                        Set(appended).sorted().map(String.init).joined(separator: ", "), answerBytes
                    ))
                }
            }
        }
    }

    /// N grant rows of one client and one subject, as a long-running service accumulates them.
    private static func seed(_ admin: PostgresClient, grants: Int, client: String, logger: Logger) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        try await admin.query(
            """
            INSERT INTO grants (grant_id, client_id, subject, session_id, status, flow, version, retain_until_ms, state)
            SELECT 'bench-' || g, \(client), 'bench-subject', NULL, 'active', 'client_credentials', 2, \(now) + 600000,
                jsonb_build_object('grant_id', 'bench-' || g, 'client_id', \(client), 'sub', 'bench-subject', 'scope', 'openid',
                    'flow', 'client_credentials', 'status', 'active', 'started_at', \(now), 'refresh_absolute_expires_at', \(now),
                    'tokens_expire_by', \(now) + 600000)
            FROM generate_series(1, \(grants)) AS g
            """,
            logger: logger
        )
    }
}
