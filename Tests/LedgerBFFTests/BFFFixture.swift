import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
@testable import LedgerBFF
import LedgerDomain
import LedgerRedis
import LedgerService
import LedgerTesting
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A ``BFFStack`` with the checks the BFF tests share.
struct BFFFixture: Sendable {
    let base: BFFStack
    var stack: LiveStack { base.live }
    var bff: BFF { base.bff }
    var bffURL: String { base.bffURL }
    var upstreamCalls: UpstreamLog { base.upstreamCalls }

    static let password = BFFStack.password

    /// Runs `body` with a fixture whose client gets 600 s access tokens and whose BFF refreshes
    /// 60 s before expiry (logs with `TOKENLEDGER_TEST_BFF_LOG=1`).
    static func with(_ body: @Sendable (BFFFixture) async throws -> Void) async throws {
        let logger = {
            var logger = Logger(label: "test.bff")
            logger.logLevel = ProcessInfo.processInfo.environment["TOKENLEDGER_TEST_BFF_LOG"] == "1" ? .info : .critical
            return logger
        }()
        try await TestDatabase.withLedger { ledger in
            try await BFFStack.with(ledger, logger: logger) { base in
                try await body(BFFFixture(base: base))
            }
        }
    }

    /// A browser signed in as alice through the real login form, back on `returnTo`.
    func signedInBrowser(returnTo: String = "/") async throws -> Browser { try await base.signedInBrowser(returnTo: returnTo) }

    /// Makes the stored access token of `browser`'s session expire `seconds` from now (the
    /// issuer's token is unchanged), and drops the BFF's copy, so the next calls find it about
    /// to expire.
    func expireAccessToken(of browser: Browser, inSeconds seconds: Int64) async throws {
        let sessionID = try #require(browser.cookies(for: bffURL)["bff"])
        let loaded = try #require(try await bff.store.load(sessionID: sessionID))
        var session = loaded.session
        session.accessTokenExpiresAt = BFF.now + seconds
        #expect(try await bff.store.replace(loaded, with: session))
        bff.store.cache.forget(name: loaded.name)
    }

    /// Runs `body` with a second BFF replica over the same Redis and configuration, listening
    /// at the URL `body` is given, and serving once `body` starts.
    func withReplica(_ body: @Sendable (_ replica: BFF, _ url: String) async throws -> Void) async throws {
        var logger = Logger(label: "test.bff.replica")
        logger.logLevel = .critical
        let replica = try BFF(configuration: base.configuration, logger: logger)
        let port = try await LiveStack.freePort()
        let url = "http://127.0.0.1:\(port)"
        let app = Application(router: replica.router(), configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app] + replica.services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            defer { group.cancelAll() }
            let probe = Browser()
            while (try? await probe.get(url + "/"))?.status != .ok { try await Task.sleep(for: .milliseconds(20)) }
            try await body(replica, url)
            await services.triggerGracefulShutdown()
        }
    }

    /// The Redis key of the session named `name`.
    func sessionKey(_ name: String) -> String { bff.configuration.redisKeyPrefix + "session:" + name }

    /// The bytes of a Redis string reply, as the test Redis holds them.
    func redisBytes(_ arguments: String...) async throws -> [UInt8] {
        let redis = RedisClient(endpoint: try RedisEndpoint(url: TestEnvironment.redisURL), logger: Logger(label: "test.redis"))
        defer { Task { await redis.close() } }
        let reply = try await redis.pipeline([arguments.map { Array($0.utf8) }])[0]
        guard case .string(let bytes) = reply else { return [] }
        return bytes
    }

    /// Whether the test Redis holds `key`.
    func redisHas(_ key: String) async throws -> Bool {
        let redis = RedisClient(endpoint: try RedisEndpoint(url: TestEnvironment.redisURL), logger: Logger(label: "test.redis"))
        defer { Task { await redis.close() } }
        return try await redis.command("EXISTS", key) == .integer(1)
    }

    /// Events of `type` in the log.
    func events(_ type: String) async throws -> Int64 {
        let rows = try await stack.ledger.admin.query("SELECT count(*) FROM events WHERE type = \(type)", logger: Logger(label: "test"))
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }
}

/// A test failure with a description.
struct BFFTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
