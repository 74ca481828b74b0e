import Foundation
import LedgerGuard
import LedgerHTTP
import LedgerRedis
import LedgerRelay
import Logging
import LedgerService

extension LiveStack {
    /// A relay publishing this stack's log to the test Redis on `channel` (quick lease retries).
    package func relay(channel: String, logger: Logger) throws -> RevocationRelay {
        var configuration = RevocationRelay.Configuration(channel: channel)
        configuration.leaseRetryInterval = .milliseconds(200)
        return RevocationRelay(
            database: ledger.primary.client, redis: try RedisEndpoint(url: TestEnvironment.redisURL),
            signer: KeyRingBroadcastSigner(issuer: issuerURL, keys: services.keys), configuration: configuration, logger: logger
        )
    }

    /// A kit configuration for this stack: its issuer, its listener's endpoints, the test Redis on
    /// `channel`, and the given client (which needs `client_credentials` and `revocations:read`).
    package func guardConfiguration(clientID: String, clientSecret: String, channel: String) -> LedgerGuardConfiguration {
        var configuration = LedgerGuardConfiguration(issuer: issuerURL, clientID: clientID, clientSecret: clientSecret)
        configuration.redisURL = TestEnvironment.redisURL
        configuration.channel = channel
        configuration.jwksURL = publicURL + "/jwks.json"
        configuration.feedURL = publicURL + "/revocations"
        configuration.tokenURL = publicURL + "/token"
        return configuration
    }
}
