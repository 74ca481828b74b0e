import Hummingbird
import NIOPosix
import PostgresNIO
import HummingbirdTesting
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import Testing
import LedgerService

@Suite("/healthz and /readyz")
struct HealthRoutesTests {
    @Test("readyz is 503 until a signing key is loaded, then 200; healthz is 200 throughout")
    func readyOnceKeysLoaded() async throws {
        try await TestDatabase.withLedger { ledger in
            var logger = Logger(label: "test.health")
            logger.logLevel = .error
            let store = SigningKeyStore(client: ledger.primary.client, writer: ledger.primary.writer, logger: logger)
            var policy = KeyRing.Policy()
            policy.generate = KeyRing.testMaterial
            let keys = KeyRing(store: store, secret: "health-secret", policy: policy, logger: logger)
            let router = Router()
            // A first query on a loaded two-core CI host may take longer than the 750 ms default.
            HealthRoutes.add(to: router, database: ledger.primary.client, keys: keys, databaseWait: .seconds(10), logger: logger)
            try await Application(router: router).test(.router) { client in
                let notYet = try await client.execute(uri: "/readyz", method: .get)
                #expect(notYet.status == .serviceUnavailable)
                #expect(String(buffer: notYet.body) == "no signing key loaded yet\n")
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)

                try await keys.start()
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .ok)
                #expect(String(buffer: ready.body) == "ready\n")
            }
        }
    }

    @Test("readyz answers 503 promptly (it waits 750 ms; bounded at 10 s here, for a loaded suite on two cores) while the database accepts connections but never answers")
    func readyzIsBoundedWhileTheDatabaseHangs() async throws {
        try await TestDatabase.withLedger { ledger in
            var logger = Logger(label: "test.health")
            logger.logLevel = .critical
            let keys = try await KeyRing.started(on: ledger.primary, logger: logger)
            // A listener that accepts and then says nothing: a database host whose server hangs.
            let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
                .bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(silent.localAddress?.port)
            let hanging = PostgresClient(
                configuration: .init(host: "127.0.0.1", port: port, username: "postgres", password: nil, database: "none", tls: .disable),
                backgroundLogger: logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await hanging.run() }
                defer { group.cancelAll() }
                let router = Router()
                HealthRoutes.add(to: router, database: hanging, keys: keys, logger: logger)
                try await Application(router: router).test(.router) { client in
                    let started = ContinuousClock.now
                    let answer = try await client.execute(uri: "/readyz", method: .get)
                    let elapsed = ContinuousClock.now - started
                    #expect(answer.status == .serviceUnavailable)
                    #expect(String(buffer: answer.body) == "database unavailable\n")
                    // Before the bound it waited for the connection attempts to give up: 71 s against this host.
                    #expect(elapsed < .seconds(10), "readyz took \(elapsed)")
                }
            }
            try await silent.close()
        }
    }
}
