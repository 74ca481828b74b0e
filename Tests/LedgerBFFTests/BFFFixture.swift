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

/// The whole BFF path in one process: the token service on a fresh database (alice can sign
/// in), the relay publishing revocations to the test Redis on a channel of its own, a trivial
/// upstream API that echoes what it received, and the BFF in front of it, all over real HTTP.
struct BFFFixture: Sendable {
    let stack: LiveStack
    let bff: BFF
    let bffURL: String
    let upstreamCalls: UpstreamLog

    static let password = "wonderland"
    static let users: UserDirectory = try! UserDirectory([
        LoginUser(username: "alice", subject: Subject("sub-alice"), passwordHash: PasswordHash.make(password, cost: 4), claims: ["name": .string("Alice")])
    ])

    /// Runs `body` with a fixture whose client gets `accessTokenSeconds`-long access tokens and
    /// whose BFF refreshes `refreshAhead` before expiry.
    static func with(
        accessTokenSeconds: Int64 = 600, refreshAhead: Duration = .seconds(60), _ body: @Sendable (BFFFixture) async throws -> Void
    ) async throws {
        let logger = {
            var logger = Logger(label: "test.bff")
            logger.logLevel = ProcessInfo.processInfo.environment["TOKENLEDGER_TEST_BFF_LOG"] == "1" ? .info : .critical
            return logger
        }()
        try await TestDatabase.withLedger { ledger in
            let publicPort = try await LiveStack.freePort()
            try await LiveStack.with(ledger, logger: logger, publicPort: publicPort, users: users) { stack in
                let bffPort = try await LiveStack.freePort()
                let bffURL = "http://127.0.0.1:\(bffPort)"
                let client = try await register(stack, bffURL: bffURL, accessTokenSeconds: accessTokenSeconds)
                let channel = "test:bff:\(UUID().uuidString)"
                let relay = try stack.relay(channel: channel, logger: logger)
                let upstreamCalls = UpstreamLog()
                let upstreamPort = try await LiveStack.freePort()
                let upstream = Application(
                    router: upstreamCalls.router(), configuration: .init(address: .hostname("127.0.0.1", port: upstreamPort)), logger: logger
                )
                var configuration = BFFConfiguration(
                    issuer: stack.issuerURL, clientID: client.id, clientSecret: client.secret, publicURL: bffURL,
                    cookieKey: "test-cookie-key", redisURL: TestEnvironment.redisURL
                )
                configuration.devInsecureCookies = true
                configuration.redisKeyPrefix = "test:bff:\(UUID().uuidString):"
                configuration.broadcastChannel = channel
                configuration.refreshAhead = refreshAhead
                configuration.upstreams = ["orders": .init(url: "http://127.0.0.1:\(upstreamPort)/v1", scope: "orders:read")]
                let bff = try BFF(configuration: configuration, logger: logger)
                let app = Application(
                    router: bff.router(), configuration: .init(address: .hostname("127.0.0.1", port: bffPort)), logger: logger
                )
                let services = ServiceGroup(configuration: .init(services: [upstream, app] + bff.services, logger: logger))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await relay.run() }
                    group.addTask { try await services.run() }
                    defer { group.cancelAll() }
                    let fixture = BFFFixture(stack: stack, bff: bff, bffURL: bffURL, upstreamCalls: upstreamCalls)
                    try await fixture.waitUntilReady(upstreamPort: upstreamPort)
                    let failure: (any Error)?
                    do {
                        try await body(fixture)
                        failure = nil
                    } catch {
                        failure = error
                    }
                    await services.triggerGracefulShutdown()
                    if let failure { throw failure }
                }
            }
        }
    }

    /// Registers the BFF's confidential client: code flow, refresh, and client_credentials for
    /// the revocation feed.
    static func register(_ stack: LiveStack, bffURL: String, accessTokenSeconds: Int64) async throws -> (id: String, secret: String) {
        let body = """
            {"client_name":"bff","redirect_uris":["\(bffURL)/bff/callback"],"post_logout_redirect_uris":["\(bffURL)/"],
             "grant_types":["authorization_code","refresh_token","client_credentials"],"token_endpoint_auth_method":"client_secret_basic",
             "scope":"openid profile email offline_access orders:read revocations:read",
             "tokenledger_lifetimes":{"access_token_seconds":\(accessTokenSeconds)}}
            """
        var request = HTTPClientRequest(url: stack.adminURL + "/admin/clients")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(LiveStack.adminToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let json = try JSONSerialization.jsonObject(with: Data(buffer: try await response.body.collect(upTo: 1 << 20))) as? [String: Any]
        let id = try #require(json?["client_id"] as? String)
        let secret = try #require(json?["client_secret"] as? String)
        return (id, secret)
    }

    /// Waits until the BFF, the upstream and the BFF's revocation subscriber are up.
    private func waitUntilReady(upstreamPort: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let browser = Browser()
            if let page = try? await browser.get(bffURL + "/"), page.status == .ok, bff.revocationsAreCurrent { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BFFTestError("the BFF did not come up within 30 s")
    }

    /// A browser signed in as alice through the real login form, back on `returnTo`.
    func signedInBrowser(returnTo: String = "/") async throws -> Browser {
        let browser = Browser()
        try await browser.signIn(bffURL: bffURL, returnTo: returnTo, password: Self.password)
        return browser
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

/// What the upstream API received, and its routes: `GET|POST /v1/**` answers 200 with the
/// path, the Authorization header's scheme, and whether a Cookie header arrived.
final class UpstreamLog: Sendable {
    struct Call: Sendable, Hashable {
        var path: String
        var authorization: String?
        var cookie: String?
        var csrf: String?
    }

    private let calls = Mutex<[Call]>([])

    var all: [Call] { calls.withLock { $0 } }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/v1/**", method: method) { request, _ -> Response in
                let call = Call(
                    path: request.uri.path, authorization: request.headers[.authorization], cookie: request.headers[.cookie],
                    csrf: request.headers[HTTPField.Name("X-CSRF")!]
                )
                self.calls.withLock { $0.append(call) }
                var response = Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"path":"\#(request.uri.path)"}"#))
                )
                response.headers[.setCookie] = "upstream=1"
                return response
            }
        }
        return router
    }
}

/// A test failure with a description.
struct BFFTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
