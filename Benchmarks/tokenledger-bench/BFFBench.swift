import ArgumentParser
import Foundation
import Hummingbird
import LedgerBFF
import LedgerTesting
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import WebEncoding

/// `tokenledger-bench bff`: the Backend-for-Frontend in front of a trivial upstream, with the
/// token service, Redis and PostgreSQL, all in this process on loopback. Signed-in browsers on
/// keep-alive connections call the upstream directly, then the same path through the BFF
/// (session cookie, `X-CSRF`, session from the BFF's cache or Redis, Bearer attached): first a
/// few browsers, below saturation, for the BFF's added latency; then many, for throughput.
/// Last, a refresh storm: a second BFF over the same sessions refreshes before every call (its
/// refresh-ahead window exceeds the token lifetime), so each call rotates its session's refresh
/// token first.
struct BFFBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bff", abstract: "BFF proxy throughput and added latency, and refreshes under a storm of expiring sessions."
    )

    @Option(help: "Signed-in browsers, one connection each, for throughput and the refresh storm.")
    var sessions = 32

    @Option(help: "Browsers calling at once for the added latency, below saturation.")
    var latencyBrowsers = 4

    @Option(help: "Seconds per phase.")
    var seconds = 15

    @Flag(help: "A few-second run for CI.")
    var smoke = false

    func run() async throws {
        let duration = Duration.seconds(smoke ? 2 : seconds)
        let count = smoke ? 4 : sessions
        let few = min(count, smoke ? 2 : latencyBrowsers)
        let logger = {
            var logger = Logger(label: "bench.bff")
            logger.logLevel = .critical
            return logger
        }()
        print("bff benchmark: \(count) signed-in browsers, \(duration.seconds) s per phase, upstream on loopback")
        try await TestDatabase.withLedger(poolSize: 40) { ledger in
            try await BFFStack.with(ledger, logger: logger) { stack in
                try await Self.phases(stack, count: count, few: few, duration: duration, logger: logger)
            }
        }
    }

    private static func phases(_ stack: BFFStack, count: Int, few: Int, duration: Duration, logger: Logger) async throws {
        var cookies: [String] = []
        for _ in 0..<count {
            let browser = try await stack.signedInBrowser()
            guard let session = browser.cookies(for: stack.bffURL)["bff"] else { throw BenchError("no session cookie after login") }
            cookies.append("bff=" + session)
        }
        let upstream = try await connections(to: stack.upstreamURL, count: count)
        let proxy = try await connections(to: stack.bffURL, count: count)
        let cookieHeaders = cookies
        let callDirect: @Sendable (Int) async throws -> Void = { worker in
            let response = try await upstream[worker].send(.GET, "/v1/ping", headers: [("Authorization", "Bearer x")])
            guard response.status == 200 else { throw BenchError("upstream: \(response.status)") }
        }
        let callProxy: @Sendable (Int) async throws -> Void = { worker in
            let response = try await proxy[worker].send(.GET, "/api/orders/ping", headers: [("Cookie", cookieHeaders[worker]), ("X-CSRF", "1")])
            guard response.status == 200 else { throw BenchError("bff: \(response.status)") }
        }
        // The BFF keeps a copy of each session once its endings channel is live: warm it.
        for worker in 0..<count { try await callProxy(worker) }

        print("-- added latency, \(few) browsers at once")
        await compare(workers: few, duration: duration, direct: callDirect, proxied: callProxy, added: "added by the BFF")
        print("-- throughput, \(count) browsers at once")
        await compare(workers: count, duration: duration, direct: callDirect, proxied: callProxy, added: "added by the BFF at saturation")

        print("-- refresh storm, \(count) browsers at once")
        // The storm: a second BFF over the same sessions that refreshes before every call.
        var stormConfiguration = stack.configuration
        stormConfiguration.refreshAhead = .seconds(24 * 3600)
        let storm = try BFF(configuration: stormConfiguration, logger: logger)
        let port = try await LiveStack.freePort()
        let app = Application(router: storm.router(), configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app] + storm.services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            var stormConnections: [LoadConnection] = []
            for _ in 0..<count { stormConnections.append(try await LoadConnection.connect(retryingFor: .seconds(10), host: "127.0.0.1", port: port)) }
            let load = stormConnections
            let rotatedBefore = try await rotations(stack)
            let refreshing = await measure("refresh before every call", workers: count, duration: duration) { worker in
                let response = try await load[worker].send(.GET, "/api/orders/ping", headers: [("Cookie", cookieHeaders[worker]), ("X-CSRF", "1")])
                guard response.status == 200 else { throw BenchError("storm: \(response.status)") }
            }
            let rotated = try await rotations(stack) - rotatedBefore
            print(refreshing.summary)
            print(String(format: "refreshes: %d rotations committed in %.2f s = %.0f/s", rotated, refreshing.seconds, Double(rotated) / refreshing.seconds))
            await group.triggerGracefulShutdown()
        }

        print("-- revocation → session gone, one grant at a time, \(count) sessions")
        var ended: [Double] = []
        for worker in 0..<count {
            try await callProxy(worker)
            guard let bearer = stack.upstreamCalls.all.last?.authorization, let grant = grantID(ofBearer: bearer) else {
                throw BenchError("no grant_id in the upstream's last Bearer token")
            }
            let (status, _) = try await stack.live.admin("/admin/revocations", json: #"{"grant":"\#(grant)"}"#)
            guard status == 200 else { throw BenchError("revocation answered \(status)") }
            let answered = ContinuousClock.now
            while try await proxy[worker].send(.GET, "/bff/user", headers: [("Cookie", cookieHeaders[worker])]).status != 401 {
                guard ContinuousClock.now - answered < .seconds(5) else { throw BenchError("session \(worker) outlived its revocation by 5 s") }
            }
            ended.append((ContinuousClock.now - answered).seconds)
        }
        ended.sort()
        print(String(
            format: "session gone after the revocation answered: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d revocations)",
            ended[ended.count / 2] * 1000, ended[min(ended.count - 1, ended.count * 99 / 100)] * 1000, ended[ended.count - 1] * 1000, ended.count
        ))
        for connection in proxy + upstream { await connection.close() }
    }

    /// The `grant_id` claim of a `Bearer <JWT>` header, read without verifying (the bench's own token).
    private static func grantID(ofBearer header: String) -> String? {
        let parts = header.dropFirst("Bearer ".count).split(separator: ".")
        guard parts.count == 3, let payload = Data(jwtSegment: parts[1]),
            let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any]
        else { return nil }
        return claims["grant_id"] as? String
    }

    /// Runs `direct`, then `proxied`, from `workers` browsers for `duration` each, and prints
    /// both and the difference of their p50 and p99 as `added`.
    private static func compare(
        workers: Int, duration: Duration, direct: @escaping @Sendable (Int) async throws -> Void,
        proxied: @escaping @Sendable (Int) async throws -> Void, added: String
    ) async {
        let upstream = await measure("direct to the upstream", workers: workers, duration: duration, operation: direct)
        print(upstream.summary)
        let bff = await measure("through the BFF", workers: workers, duration: duration, operation: proxied)
        print(bff.summary)
        print(String(
            format: "\(added): p50 %.2f ms, p99 %.2f ms", (bff.percentile(0.5) - upstream.percentile(0.5)) * 1000,
            (bff.percentile(0.99) - upstream.percentile(0.99)) * 1000
        ))
    }

    private static func connections(to url: String, count: Int) async throws -> [LoadConnection] {
        guard let port = url.split(separator: ":").last.flatMap({ Int($0.split(separator: "/")[0]) }) else { throw BenchError("no port in \(url)") }
        var pool: [LoadConnection] = []
        for _ in 0..<count { pool.append(try await LoadConnection.connect(host: "127.0.0.1", port: port)) }
        return pool
    }

    private static func rotations(_ stack: BFFStack) async throws -> Int {
        let rows = try await stack.live.ledger.admin.query(
            "SELECT count(*) FROM events WHERE type = 'grant.refresh_token.rotated'", logger: Logger(label: "bench")
        )
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }
}
