import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import LedgerBFF
import LedgerDomain
import LedgerService
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The whole BFF path in one process, for tests and benchmarks: the token service on a fresh
/// database (alice can sign in), the relay publishing revocations to the test Redis on a channel
/// of its own, a trivial upstream API (``UpstreamLog``) at `/v1`, and the BFF in front of it as
/// `/api/orders/…`, all over real HTTP on loopback.
package struct BFFStack: Sendable {
    /// The token service.
    package let live: LiveStack
    /// The BFF and its configuration.
    package let bff: BFF
    package let configuration: BFFConfiguration
    /// `http://127.0.0.1:<port>` of the BFF.
    package let bffURL: String
    /// `http://127.0.0.1:<port>/v1` of the upstream.
    package let upstreamURL: String
    /// What the upstream received.
    package let upstreamCalls: UpstreamLog

    /// alice's password.
    package static let password = "wonderland"
    /// alice (`sub-alice`, name Alice).
    package static let users: UserDirectory = try! UserDirectory([
        LoginUser(username: "alice", subject: Subject("sub-alice"), passwordHash: PasswordHash.make(password, cost: 4), claims: ["name": .string("Alice")])
    ])

    /// Starts everything over `ledger`, runs `body`, stops it. The BFF's client gets 600 s
    /// access tokens; the BFF refreshes them 60 s before expiry (its default).
    package static func with(_ ledger: TestDatabase.Ledger, logger: Logger, _ body: @Sendable (BFFStack) async throws -> Void) async throws {
        let publicPort = try await LiveStack.freePort()
        try await LiveStack.with(ledger, logger: logger, publicPort: publicPort, users: users) { live in
            let bffPort = try await LiveStack.freePort()
            let bffURL = "http://127.0.0.1:\(bffPort)"
            let client = try await register(live, bffURL: bffURL)
            let channel = "test:bff:\(UUID().uuidString)"
            let relay = try live.relay(channel: channel, logger: logger)
            let upstreamCalls = UpstreamLog()
            let upstreamPort = try await LiveStack.freePort()
            let upstream = Application(
                router: upstreamCalls.router(), configuration: .init(address: .hostname("127.0.0.1", port: upstreamPort)), logger: logger
            )
            var configuration = BFFConfiguration(
                issuer: live.issuerURL, clientID: client.id, clientSecret: client.secret, publicURL: bffURL,
                cookieKey: "test-cookie-key", redisURL: TestEnvironment.redisURL
            )
            configuration.devInsecureCookies = true
            configuration.redisKeyPrefix = "test:bff:\(UUID().uuidString):"
            configuration.broadcastChannel = channel
            let upstreamURL = "http://127.0.0.1:\(upstreamPort)/v1"
            configuration.upstreams = ["orders": .init(url: upstreamURL, scope: "orders:read")]
            let bff = try BFF(configuration: configuration, logger: logger)
            let app = Application(router: bff.router(), configuration: .init(address: .hostname("127.0.0.1", port: bffPort)), logger: logger)
            let services = ServiceGroup(configuration: .init(services: [upstream, app] + bff.services, logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await relay.run() }
                group.addTask { try await services.run() }
                defer { group.cancelAll() }
                let stack = BFFStack(
                    live: live, bff: bff, configuration: configuration, bffURL: bffURL, upstreamURL: upstreamURL, upstreamCalls: upstreamCalls
                )
                try await stack.waitUntilReady()
                let failure: (any Error)?
                do {
                    try await body(stack)
                    failure = nil
                } catch {
                    failure = error
                }
                await services.triggerGracefulShutdown()
                if let failure { throw failure }
            }
        }
    }

    /// Registers the BFF's confidential client: code flow, refresh, and client_credentials for
    /// the revocation feed.
    static func register(_ live: LiveStack, bffURL: String) async throws -> (id: String, secret: String) {
        let body = """
            {"client_name":"bff","redirect_uris":["\(bffURL)/bff/callback"],"post_logout_redirect_uris":["\(bffURL)/"],
             "grant_types":["authorization_code","refresh_token","client_credentials"],"token_endpoint_auth_method":"client_secret_basic",
             "scope":"openid profile email offline_access orders:read revocations:read",
             "tokenledger_lifetimes":{"access_token_seconds":600}}
            """
        let (status, json) = try await live.admin("/admin/clients", json: body)
        guard let id = json["client_id"] as? String, let secret = json["client_secret"] as? String else {
            throw BrowserError("the BFF client was not registered: \(status)")
        }
        return (id, secret)
    }

    /// Waits until the BFF answers and its revocation subscriber is current.
    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let page = try? await Browser().get(bffURL + "/"), page.status == .ok, bff.revocationsAreCurrent { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BrowserError("the BFF did not come up within 30 s")
    }

    /// A browser signed in as alice through the real login form, back on `returnTo`.
    package func signedInBrowser(returnTo: String = "/") async throws -> Browser {
        let browser = Browser()
        try await browser.signIn(bffURL: bffURL, returnTo: returnTo, password: Self.password)
        return browser
    }
}

/// The upstream API of a ``BFFStack`` and what it received: `GET|POST /v1/**` answers 200 with
/// `{"path": …}` (and a `Set-Cookie` the BFF must not relay); `POST /v1/echo` answers its body;
/// `GET /v1/large?bytes=N` streams N bytes of `x` without a length; `GET /v1/close` answers
/// `Connection: close`; `GET /v1/events` sends one server-sent event, and a second once
/// ``openGate()`` is called.
package final class UpstreamLog: Sendable {
    /// One call as the upstream saw it.
    package struct Call: Sendable, Hashable {
        package var path: String
        package var authorization: String?
        package var cookie: String?
        package var csrf: String?
    }

    private let calls = Mutex<[Call]>([])
    private let gateOpen = Mutex(false)

    /// Lets `/v1/events` send its second event.
    package func openGate() { gateOpen.withLock { $0 = true } }

    /// Every call so far.
    package var all: [Call] { calls.withLock { $0 } }

    package init() {}

    /// The upstream's routes.
    package func router() -> Router<BasicRequestContext> {
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
        router.post("/v1/echo") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 4 << 20)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: body))
        }
        router.get("/v1/large") { request, _ -> Response in
            let total = request.uri.queryParameters.get("bytes", as: Int.self) ?? 0
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody { writer in
                var sent = 0
                while sent < total {
                    let size = min(16 * 1024, total - sent)
                    try await writer.write(ByteBuffer(repeating: UInt8(ascii: "x"), count: size))
                    sent += size
                }
                try await writer.finish(nil)
            })
        }
        router.get("/v1/events") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "data: one\n\n"))
                let deadline = ContinuousClock.now + .seconds(10)
                while !self.gateOpen.withLock({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                try await writer.write(ByteBuffer(string: "data: two\n\n"))
                try await writer.finish(nil)
            })
        }
        router.get("/v1/close") { _, _ -> Response in
            Response(status: .ok, headers: [.connection: "close"], body: .init(byteBuffer: ByteBuffer(string: "closing")))
        }
        return router
    }
}
