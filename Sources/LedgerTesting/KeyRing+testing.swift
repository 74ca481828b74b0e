import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Logging
import LedgerService

extension KeyRing {
    /// A started key ring over a test database whose new keys sign at once (no publish lead),
    /// so tests and benchmarks have an active key from the first request.
    package static func started(
        on replica: TestDatabase.Replica, algorithm: String = "ES256", secret: String = "test-key-secret", logger: Logger,
        now: @escaping @Sendable () -> Instant = Instant.current
    ) async throws -> KeyRing {
        var policy = KeyRing.Policy()
        policy.algorithm = algorithm
        policy.publishLead = .zero
        let keys = KeyRing(
            store: SigningKeyStore(client: replica.client, writer: replica.writer, logger: logger),
            secret: secret, policy: policy, logger: logger, now: now
        )
        try await keys.start()
        return keys
    }
}
