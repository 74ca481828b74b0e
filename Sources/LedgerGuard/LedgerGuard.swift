import AsyncHTTPClient
import LedgerRedis
import Logging
import ServiceLifecycle

/// The resource-server kit assembled from one configuration: a validator to call on every
/// request (or the ``LedgerGuardMiddleware``), and a service that keeps its revocation state
/// current. Run it in the application's `ServiceGroup`; until its first catch-up succeeds, and
/// whenever it goes stale, every validation fails closed.
///
///     let kit = try LedgerGuard(configuration: configuration, logger: logger)
///     router.add(middleware: LedgerGuardMiddleware(validator: kit.validator))
///     let app = Application(router: router, services: [kit])
public struct LedgerGuard: Service {
    /// Validates access tokens against the JWKS and the revocation state.
    public let validator: AccessTokenValidator
    /// The revocation state the subscriber keeps current.
    public var revocations: RevocationState { validator.revocations }
    private let subscriber: RevocationSubscriber

    /// Builds the kit; throws when the Redis URL is invalid. Nothing is fetched before `run()`.
    public init(configuration c: LedgerGuardConfiguration, http: HTTPClient = .shared, logger: Logger) throws {
        let rules = AccessTokenRules(issuer: c.issuer, audience: c.audience, clockSkew: c.clockSkew)
        let location: JWKSCache.Location = c.jwksURL.map { .jwks($0) }
            ?? .discovery(c.base + "/.well-known/openid-configuration", issuer: c.issuer)
        let jwks = JWKSCache(location: location, http: http, minimumRefetchInterval: c.jwksRefetchInterval, logger: logger)
        let state = RevocationState(stalenessBound: c.stalenessBound)
        validator = AccessTokenValidator(rules: rules, jwks: jwks, revocations: state, cacheCapacity: c.cacheCapacity)
        let feed = RevocationFeedClient(
            feedURL: c.feedURL ?? c.base + "/revocations", tokenURL: c.tokenURL ?? c.base + "/token", clientID: c.clientID,
            clientSecret: c.clientSecret, resource: c.issuer, http: http
        )
        let validator = validator
        let verifier = BroadcastVerifier(issuer: c.issuer, jwks: jwks) { validator.clearCache() }
        subscriber = RevocationSubscriber(
            endpoint: try RedisEndpoint(url: c.redisURL), channel: c.channel, verifier: verifier, feed: feed, state: state,
            idleTimeout: c.channelIdleTimeout, pruneGrace: rules.skewSeconds, observer: c.onRevocation, logger: logger
        )
    }

    /// Keeps the revocation state current until shutdown.
    public func run() async throws {
        try await subscriber.run()
    }
}
