import NIOCore
import Foundation
import AsyncHTTPClient
import Hummingbird
import NIOPosix
import LedgerHTTP
import Logging
import ServiceLifecycle
import Synchronization
import LedgerService

/// The service's public and admin listeners running live on ephemeral loopback ports over a
/// test database, for clients that need real HTTP (benchmarks, the resource-server kit).
package struct LiveStack: Sendable {
    /// The database.
    package let ledger: TestDatabase.Ledger
    /// The services behind both listeners.
    package let services: LedgerServices
    /// `http://127.0.0.1:<port>` of the public listener.
    package let publicURL: String
    /// `http://127.0.0.1:<port>` of the admin listener.
    package let adminURL: String
    /// The admin listener's bearer key.
    package static let adminToken = "live-admin-token"
    /// The issuer (`iss`) of the stack's tokens unless it listens on a chosen public port.
    package static let issuer = "http://127.0.0.1"
    /// The issuer of this stack: ``issuer``, or the public URL when the port was chosen (then
    /// discovery and its endpoints are reachable at the issuer URL, as an OIDC client needs).
    package let issuerURL: String

    /// Starts both listeners (with an active ES256 key), runs `body`, stops them. With
    /// `publicPort` the public listener binds it and the issuer is its URL; `users` can sign in.
    package static func with(
        _ ledger: TestDatabase.Ledger, logger: Logger, publicPort: Int? = nil, users: UserDirectory = .empty,
        _ body: @Sendable (LiveStack) async throws -> Void
    ) async throws {
        let keys = try await KeyRing.started(on: ledger.primary, logger: logger)
        let stores = LedgerStores(database: ledger.primary.client, writer: ledger.primary.writer, logger: logger)
        let issuerURL = publicPort.map { "http://127.0.0.1:\($0)" } ?? issuer
        let services = LedgerServices(issuer: issuerURL, stores: stores, keys: keys, adminToken: adminToken, logger: logger, users: users)
        let ports = Mutex<(public: Int?, admin: Int?)>((nil, nil))
        let publicApp = Application(
            router: PublicRouter.build(services), configuration: .init(address: .hostname("127.0.0.1", port: publicPort ?? 0)),
            onServerRunning: { channel in ports.withLock { $0.public = channel.localAddress?.port } }, logger: logger
        )
        let adminApp = Application(
            router: AdminRouter.build(services), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in ports.withLock { $0.admin = channel.localAddress?.port } }, logger: logger
        )
        // Stopped gracefully, as `tokenledger serve` stops: cancelling the listeners closes
        // their channels under them ("Server shutdown error: Already closed").
        let listeners = ServiceGroup(configuration: .init(services: [publicApp, adminApp], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listeners.run() }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + .seconds(30)
            var bound = ports.withLock { $0 }
            while bound.public == nil || bound.admin == nil {
                guard ContinuousClock.now < deadline else { throw LiveStackError("listeners did not start within 30 s") }
                try await Task.sleep(for: .milliseconds(5))
                bound = ports.withLock { $0 }
            }
            let outcome = await Result {
                try await body(LiveStack(
                    ledger: ledger, services: services, publicURL: "http://127.0.0.1:\(bound.public!)",
                    adminURL: "http://127.0.0.1:\(bound.admin!)", issuerURL: issuerURL
                ))
            }
            await listeners.triggerGracefulShutdown()
            try await group.waitForAll()
            try outcome.get()
        }
    }
}

/// The live stack could not start.
package struct LiveStackError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

extension LiveStack {
    /// A loopback port nobody listens on right now (bound and released), for a listener whose
    /// URL must be known before it starts. Drawn below the kernel's ephemeral range (32768 and
    /// up on Linux), so no outgoing connection or port-0 listener takes it in the meantime.
    package static func freePort() async throws -> Int {
        for _ in 0..<100 {
            let port = Int.random(in: 20_000..<28_000)  // ServiceProcess takes 28000–31998
            guard let channel = try? await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get()
            else { continue }
            try? await channel.close()
            return port
        }
        throw LiveStackError("no free port below the ephemeral range")
    }
}

extension LiveStack {
    /// POSTs `json` to an admin endpoint with the admin key; the status and the JSON object
    /// answered (empty when the body is not one).
    package func admin(_ path: String, json: String, http: HTTPClient = .shared) async throws -> (status: UInt, body: [String: Any]) {
        var request = HTTPClientRequest(url: adminURL + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(Self.adminToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (response.status.code, (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:])
    }
}
