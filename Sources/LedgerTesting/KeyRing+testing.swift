import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Logging
import Synchronization
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
        policy.generate = Self.testMaterial
        let keys = KeyRing(
            store: SigningKeyStore(client: replica.client, writer: replica.writer, logger: logger),
            secret: secret, policy: policy, logger: logger, now: now
        )
        try await keys.start()
        return keys
    }

    /// New key material, except that every RS256 key of the test process shares one RSA key:
    /// generating RSA-2048 takes about a second in a debug build, and every test stack needs one.
    package static let testMaterial: @Sendable (String) throws(JOSEError) -> SigningKeyMaterial = { algorithm throws(JOSEError) in
        guard algorithm == "RS256" else { return try SigningKeyMaterial.generate(algorithm) }
        return try sharedRSA.withLock { shared throws(JOSEError) in
            if let shared { return shared }
            let material = try SigningKeyMaterial.generate(algorithm)
            shared = material
            return material
        }
    }

    private static let sharedRSA = Mutex<SigningKeyMaterial?>(nil)
}
