import ArgumentParser
import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import NIOCore
import PostgresNIO

/// `tokenledger-bench http`: the real stack (Hummingbird listeners over loopback, the group-commit
/// writer, PostgreSQL with `synchronous_commit=on`) started in this process on a fresh database,
/// driven over HTTP: `client_credentials` at N connections, then refresh rotation with N
/// concurrent chains. Afterwards every 200 is checked against its committed event.
struct HTTPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http", abstract: "/token throughput and latency: client_credentials and refresh rotation."
    )

    @Option(help: "Concurrent connections / refresh chains.")
    var connections = 64

    @Option(help: "Seconds per phase.")
    var seconds = 30

    @Flag(help: "A few-second run for CI.")
    var smoke = false

    @Option(help: "Grow the fresh log to this many events of past grant lifecycles first (the export benchmark's generator; their live rows long swept).")
    var prefillEvents: Int64 = 0

    @OptionGroup var writerOptions: WriterOptions

    func run() async throws {
        let duration = Duration.seconds(smoke ? 2 : seconds)
        let connections = self.connections
        let prefill = smoke ? min(prefillEvents, 20_000) : prefillEvents
        print("http benchmark: \(connections) connections, \(duration.seconds) s per phase, synchronous_commit=on, \(prefill) events of history")
        try await TestDatabase.withLedger(writerConfiguration: writerOptions.configuration, poolSize: 40) { ledger in
            if prefill > 0 { try await Self.prefill(ledger.admin, to: prefill) }
            try await BenchStack.with(ledger) { stack in
                let http = HTTPClient(
                    eventLoopGroupProvider: .singleton,
                    configuration: .init(connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections))
                )
                do {
                    try await Self.phases(stack, http, connections: connections, duration: duration, smoke: smoke)
                } catch {
                    try? await http.shutdown()
                    throw error
                }
                try await http.shutdown()
            }
        }
    }

    /// Grows the log to `events` with the export benchmark's generator, then vacuums, analyzes
    /// and checkpoints, as autovacuum and the checkpointer would have on a long-lived database.
    private static func prefill(_ client: PostgresClient, to events: Int64) async throws {
        let logger = Logger(label: "tokenledger.bench.prefill")
        let start = ContinuousClock.now
        let appended = try await BenchLogGenerator(client: client, logger: logger).extend(to: events)
        try await client.query("VACUUM ANALYZE events", logger: logger)
        try await client.query("CHECKPOINT", logger: logger)
        print("prefill: \(appended) events in \(ContinuousClock.now - start)")
    }

    /// The two measured phases and the final event check. Setup goes through AsyncHTTPClient;
    /// the measured requests through one ``LoadConnection`` per worker.
    private static func phases(_ stack: BenchStack, _ http: HTTPClient, connections: Int, duration: Duration, smoke: Bool) async throws {
        let client = try await stack.registerClient(http)
        guard let port = stack.publicURL.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw BenchError("no port in \(stack.publicURL)")
        }
        var pool: [LoadConnection] = []
        for _ in 0..<connections { pool.append(try await LoadConnection.connect(host: "127.0.0.1", port: port)) }
        let load = pool

        let credentials = await measure("client_credentials", workers: connections, duration: duration) { worker in
            let response = try await load[worker].postForm("/token", body: "grant_type=client_credentials&scope=openid", authorization: client.basic)
            guard response.status == 200 else { throw BenchError("client_credentials: \(response.status)") }
        }
        print(credentials.summary)

        let chains = try await stack.seedRefreshChains(http, client: client, count: connections)
        let rotations = await measure("refresh rotation", workers: connections, duration: duration) { worker in
            // Refresh tokens are base64url: nothing to percent-encode.
            let body = "grant_type=refresh_token&refresh_token=" + (await chains.token(worker))
            let response = try await load[worker].postForm("/token", body: body, authorization: client.basic)
            guard response.status == 200, let next = response.jsonString("refresh_token") else {
                throw BenchError("refresh: \(response.status)")
            }
            await chains.set(worker, next)
        }
        print(rotations.summary)
        for connection in load { await connection.close() }

        try await stack.checkEvents(expectedAccessTokens: credentials.operations + rotations.operations + connections, rotations: rotations.operations)
        if smoke, credentials.operations == 0 || rotations.operations == 0 { throw ExitCode(1) }
    }
}

/// The current refresh token of each chain.
actor RefreshChains {
    private var tokens: [String]
    init(_ tokens: [String]) { self.tokens = tokens }
    func token(_ chain: Int) -> String { tokens[chain] }
    func set(_ chain: Int, _ token: String) { tokens[chain] = token }
}
