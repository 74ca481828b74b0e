import Foundation

/// Where integration tests find their services: environment variables with local defaults,
/// so the same tests run in CI (`Scripts/test.sh`) and on a laptop.
package enum TestEnvironment {
    /// A superuser URL on the test cluster; tests create throwaway databases through it.
    package static var adminDatabaseURL: String {
        ProcessInfo.processInfo.environment["TOKENLEDGER_TEST_DATABASE_URL"]
            ?? "postgres://postgres@127.0.0.1:54329/postgres"
    }

    /// The Redis URL for tests.
    package static var redisURL: String {
        ProcessInfo.processInfo.environment["TOKENLEDGER_REDIS_URL"] ?? "redis://127.0.0.1:56379/0"
    }
}
