import Hummingbird
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
            let keys = KeyRing(store: store, secret: "health-secret", policy: KeyRing.Policy(), logger: logger)
            let router = Router()
            HealthRoutes.add(to: router, database: ledger.primary.client, keys: keys, logger: logger)
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
}
