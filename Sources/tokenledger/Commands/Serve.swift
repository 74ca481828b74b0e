import Foundation
import ArgumentParser
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerRedis
import LedgerRelay
import Logging
import PostgresNIO
import ServiceLifecycle
import LedgerService

/// `tokenledger serve`: runs the listeners and background services in one `ServiceGroup`
/// with graceful shutdown on SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the token service.")

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        let (configuration, logger) = try await ledger.load("tokenledger")
        let keySecret = try configuration.strongSecrets()
        // Before anything creates a metric: swift-metrics binds handlers when a metric is made.
        let metrics = MetricsBootstrap()
        metrics.bootstrapSystem()
        let databaseURL = try DatabaseURL(configuration.databaseURL)
        let database = PostgresClient(configuration: databaseURL.configuration, backgroundLogger: logger)
        let writer = EventWriter(client: database, logger: logger)
        let stores = LedgerStores(database: database, writer: writer, logger: logger)
        let services = LedgerServices(
            issuer: configuration.issuer, defaultAudience: try defaultAudience(configuration), stores: stores,
            keys: makeKeyRing(configuration, stores: stores),
            adminToken: configuration.adminToken, logger: logger,
            users: try configuration.usersFile.map { try UserDirectory(contentsOf: $0) } ?? .empty,
            requestSealingKey: AuthorizationRequestSealer.deriveKey(fromSecret: keySecret),
            fingerprints: Fingerprints(key: Fingerprints.deriveKey(fromSecret: keySecret)),
            graceKey: GraceSeal.deriveKey(fromSecret: keySecret),
            clientAddresses: try clientAddresses(configuration),
            sessionLimit: SessionLimit(maxPerSubject: configuration.sessionsMaxPerSubject),
            sessionLifetimes: try sessionLifetimes(configuration),
            clientRateLimit: try clientRateLimit(configuration),
            loginURL: try appURL(configuration.loginURL, "TOKENLEDGER_LOGIN_URL"),
            consentURL: try appURL(configuration.consentURL, "TOKENLEDGER_CONSENT_URL")
        )
        let publicApp = Application(
            router: PublicRouter.build(services),
            configuration: .init(address: .hostname(configuration.publicHost, port: configuration.publicPort), serverName: "tokenledger"),
            logger: logger
        )
        let adminApp = Application(
            router: AdminRouter.build(services, metrics: metrics),
            configuration: .init(address: .hostname(configuration.adminHost, port: configuration.adminPort), serverName: "tokenledger-admin"),
            logger: logger
        )
        // Every replica runs a relay; the one holding the lease publishes (docs/broadcast.md).
        let redis = try RedisEndpoint(url: configuration.redisURL)
        let relay = RevocationRelay(
            database: database, redis: redis, signer: KeyRingBroadcastSigner(issuer: configuration.issuer, keys: services.keys),
            configuration: .init(channel: configuration.redisChannel), logger: logger
        )
        // Every replica runs a sweeper; one at a time sweeps (docs/storage.md).
        guard configuration.sweepIntervalSeconds >= 0 else { throw ValidationError("TOKENLEDGER_SWEEP_INTERVAL_SECONDS must not be negative") }
        let sweeper: [any Service] = configuration.sweepIntervalSeconds == 0 ? [] : [
            ProjectionSweeper(
                client: database, configuration: .init(interval: .seconds(configuration.sweepIntervalSeconds)), logger: logger
            )
        ]
        // Services stop in reverse order: listeners first, then keys, the sweeper, the relay, the writer drains, then the pool.
        let group = ServiceGroup(
            services: [database, writer, relay] + sweeper + [services.keys, adminApp, publicApp],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        logger.info("tokenledger starting", metadata: [
            "issuer": "\(configuration.issuer)", "public": "\(configuration.publicHost):\(configuration.publicPort)",
            "admin": "\(configuration.adminHost):\(configuration.adminPort)", "database": "\(databaseURL)",
            "redis": "\(redis)", "channel": "\(configuration.redisChannel)",
        ])
        try await group.run()
    }
}

/// Where client addresses come from, as configured; a header name that is not a valid field
/// name refuses to start.
func clientAddresses(_ configuration: ServiceConfiguration) throws(ValidationError) -> ClientAddressSource {
    guard let name = configuration.trustedProxyHeader, !name.isEmpty else { return .peer }
    guard let header = HTTPField.Name(name) else { throw ValidationError("TOKENLEDGER_TRUSTED_PROXY_HEADER is not a header name") }
    return ClientAddressSource(header: header)
}

/// The default audience as configured: an absolute URI without a fragment; the issuer when unset.
func defaultAudience(_ configuration: ServiceConfiguration) throws(ValidationError) -> String {
    guard let audience = configuration.defaultAudience, !audience.isEmpty else { return configuration.issuer }
    guard Resources.isIndicator(audience) else { throw ValidationError("TOKENLEDGER_DEFAULT_AUDIENCE must be an absolute URI without a fragment") }
    return audience
}

/// A login or consent app's URL as configured: absolute http(s) without a fragment; nil when unset.
func appURL(_ text: String?, _ name: String) throws(ValidationError) -> String? {
    guard let text, !text.isEmpty else { return nil }
    guard let url = URLComponents(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
        url.fragment == nil
    else { throw ValidationError("\(name) must be an absolute http or https URL without a fragment") }
    return text
}

/// The OP session lifetimes as configured: both positive, the idle one within the absolute one.
func sessionLifetimes(_ configuration: ServiceConfiguration) throws(ValidationError) -> SessionLifetimes {
    let (idle, absolute) = (configuration.sessionsIdleSeconds, configuration.sessionsAbsoluteSeconds)
    guard idle > 0, absolute > 0, idle <= absolute else {
        throw ValidationError("TOKENLEDGER_SESSIONS_IDLE_SECONDS and TOKENLEDGER_SESSIONS_ABSOLUTE_SECONDS must be positive, idle within absolute")
    }
    return SessionLifetimes(idle: .seconds(idle), absolute: .seconds(absolute))
}

/// The per-client rate limit as configured; nil when the rate is 0.
func clientRateLimit(_ configuration: ServiceConfiguration) throws(ValidationError) -> ClientRateLimiter.Policy? {
    let rate = configuration.rateLimitClientPerSecond
    guard rate != 0 else { return nil }
    guard rate > 0, rate.isFinite, (configuration.rateLimitClientBurst ?? 1) > 0 else {
        throw ValidationError("TOKENLEDGER_RATE_LIMIT_CLIENT_PER_SECOND and _BURST must be positive")
    }
    return ClientRateLimiter.Policy(rate: rate, burst: configuration.rateLimitClientBurst ?? max(1, Int((rate * 2).rounded(.up))))
}

/// The key ring as configured.
func makeKeyRing(_ configuration: ServiceConfiguration, stores: LedgerStores) -> KeyRing {
    var policy = KeyRing.Policy()
    policy.algorithm = configuration.signingAlgorithm
    policy.publishLead = .seconds(configuration.keyPublishLeadSeconds)
    return KeyRing(
        store: stores.signingKeys, secret: configuration.keySecret, policy: policy, logger: stores.logger
    )
}
