import AsyncHTTPClient
import Foundation
import Hummingbird
import LedgerGuard
import LedgerRedis
import Logging
import ServiceLifecycle

/// The Backend-for-Frontend (docs/bff.md): a confidential OIDC client that keeps every token
/// server-side, gives the browser an opaque session cookie, proxies `/api/<name>/…` with the
/// Bearer token, rotates refresh tokens once per session, and ends sessions on logout and on
/// every broadcast revocation that covers them.
///
///     let bff = try BFF(configuration: configuration, logger: logger)
///     let app = Application(router: bff.router(), configuration: …, services: bff.services)
public struct BFF: Sendable {
    let configuration: BFFConfiguration
    let keys: SessionKeys
    let cookies: BFFCookies
    let store: SessionStore
    let provider: ProviderClient
    let idTokens: IDTokenVerifier
    let refresher: SessionRefresher
    /// The issuer's client (discovery, tokens, revocation, JWKS).
    let http: HTTPClient
    /// The connections to the upstream APIs, and where each configured name goes.
    let upstreams: UpstreamPool
    let upstreamOrigins: [String: UpstreamOrigin]
    let logger: Logger
    /// The revocation subscriber (the resource-server kit), and what to close at shutdown.
    private let guardKit: LedgerGuard
    private let redis: [RedisClient]
    private let endings: SessionEndings
    private let ownsHTTPClient: Bool

    /// Redis connections of the session store, each with its own thread.
    public static let redisConnections = 4

    /// Sessions this process keeps copies of at most (docs/bff.md#session-cache).
    public static let sessionCacheCapacity = 100_000

    /// How many connections the BFF keeps to each upstream at most; calls beyond wait for one.
    public static let connectionsPerUpstream = 128

    /// Builds the BFF; throws when a Redis or upstream URL is invalid. Nothing is fetched
    /// before it runs. Without `http` it makes its own client for the issuer.
    public init(configuration: BFFConfiguration, http: HTTPClient? = nil, logger: Logger) throws {
        self.configuration = configuration
        ownsHTTPClient = http == nil
        let http = http ?? HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        self.http = http
        upstreamOrigins = try configuration.upstreams.mapValues { upstream in
            guard let origin = UpstreamOrigin(url: upstream.url) else {
                throw BFFError(.invalidRequest, "an upstream URL must be http or https, without user, query or fragment: \(upstream.url)")
            }
            return origin
        }
        upstreams = try UpstreamPool(limit: Self.connectionsPerUpstream)
        self.logger = logger
        keys = SessionKeys(secret: configuration.cookieKey)
        cookies = BFFCookies(insecure: configuration.devInsecureCookies, sessionMaxAge: configuration.sessionLifetime.components.seconds)
        let endpoint = try RedisEndpoint(url: configuration.redisURL)
        redis = (0..<Self.redisConnections).map { _ in RedisClient(endpoint: endpoint, logger: logger) }
        let cache = SessionCache(capacity: Self.sessionCacheCapacity, refreshAhead: configuration.refreshAhead)
        let store = SessionStore(redis: redis, keys: keys, clientID: configuration.clientID, prefix: configuration.redisKeyPrefix, cache: cache)
        self.store = store
        endings = SessionEndings(endpoint: endpoint, store: store, logger: logger)
        provider = ProviderClient(issuer: configuration.issuer, clientID: configuration.clientID, clientSecret: configuration.clientSecret, http: http)
        refresher = SessionRefresher(store: store, provider: provider, refreshAhead: configuration.refreshAhead, logger: logger)
        var kit = LedgerGuardConfiguration(issuer: configuration.issuer, clientID: configuration.clientID, clientSecret: configuration.clientSecret)
        kit.redisURL = configuration.broadcastRedisURL ?? configuration.redisURL
        kit.channel = configuration.broadcastChannel
        kit.onRevocation = { [logger] event in
            do {
                let ended = try await store.deleteCovered(by: event)
                if ended > 0 { logger.info("bff sessions ended by revocation", metadata: ["scope": "\(event.scope)", "sessions": "\(ended)"]) }
            } catch {
                logger.warning("bff sessions not ended: session store unavailable", metadata: ["scope": "\(event.scope)"])
            }
        }
        guardKit = try LedgerGuard(configuration: kit, http: http, logger: logger)
        idTokens = IDTokenVerifier(issuer: configuration.issuer, clientID: configuration.clientID, jwks: guardKit.validator.jwks)
    }

    /// Whether the revocation subscriber's view is current (caught up and not stale); until it
    /// is, revocations may not end sessions at once.
    public var revocationsAreCurrent: Bool { guardKit.revocations.isFresh }

    /// The background work to run beside the listener: the revocation subscriber, the session
    /// endings subscription, and closing the session store's Redis connections, the upstream
    /// connections (and the BFF's own HTTP client) at shutdown.
    public var services: [any Service] {
        [guardKit, endings, Closer(redis: redis, upstreams: upstreams, http: ownsHTTPClient ? http : nil)]
    }

    /// The BFF's routes: `/bff/login`, `/bff/callback`, `/bff/user`, `/bff/logout`,
    /// `/api/<name>/…` and the demo page at `/`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        LoginRoutes(bff: self).add(to: router)
        UserRoute(bff: self).add(to: router)
        LogoutRoute(bff: self).add(to: router)
        APIProxy(bff: self).add(to: router)
        DemoPage.add(to: router)
        return router
    }

    /// Unix seconds now.
    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// The browser's session, refreshed when its access token is about to expire; nil when it
    /// has none or it ended. This process's copy serves while the revocation view is current
    /// (``SessionCache``); otherwise, and on a miss, the session is read from Redis.
    func session(of request: Request) async throws(BFFError) -> (sessionID: String, loaded: SessionStore.Loaded)? {
        guard let sessionID = cookies.sessionID(in: request) else { return nil }
        let name = store.name(ofSession: sessionID)
        let now = Self.now
        let cacheServes = revocationsAreCurrent
        if cacheServes, let copy = store.cache.session(named: name, now: now) { return (sessionID, copy) }
        let readAt = store.cache.generation
        guard let loaded = try await store.load(name: name) else { return nil }
        guard loaded.session.expiresAt > now else {
            try await store.delete(name: loaded.name)
            return nil
        }
        guard let current = try await refresher.current(loaded) else { return nil }
        if cacheServes { store.cache.keep(current, readAt: readAt, now: now) }
        return (sessionID, current)
    }

    /// 401 for a browser without a live session, clearing its cookie.
    func signedOut() -> Response {
        var response = BFFError(.unauthenticated, "no session").response()
        response.headers[.setCookie] = cookies.clearSession
        return response
    }
}

/// Closes the session store's Redis clients, the idle upstream connections, and the HTTP
/// client the BFF made, at shutdown.
private struct Closer: Service {
    let redis: [RedisClient]
    let upstreams: UpstreamPool
    let http: HTTPClient?

    func run() async throws {
        try? await gracefulShutdown()
        for client in redis { await client.close() }
        upstreams.close()
        try? await http?.shutdown()
    }
}
