import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore

/// The issuer's published keys, fetched from its JWKS URL and kept until a token names a key
/// id it does not know: then it refetches, at most once per `minimumRefetchInterval`, so a
/// stream of tokens with made-up `kid`s cannot turn into a stream of requests to the issuer.
/// A rotation is picked up the same way: the new key's first token triggers the refetch, and
/// keys the issuer stopped publishing are dropped with it.
public actor JWKSCache {
    /// Where the keys are found.
    public enum Location: Sendable, Hashable {
        /// The JWKS URL itself, e.g. `https://issuer.example/jwks.json`.
        case jwks(String)
        /// The issuer's discovery document (OIDC Discovery / RFC 8414): its `issuer` must be
        /// exactly `issuer` (Discovery §4.3) and its `jwks_uri` is used.
        case discovery(String, issuer: String)
    }

    private let location: Location
    private let http: HTTPClient
    private let minimumRefetchInterval: Duration
    private let logger: Logger
    private var jwksURL: String?
    private var keys = JWTKeyCollection()
    /// Algorithm of each published key, by key id; a token must name exactly its key's algorithm.
    private var algorithms: [String: String] = [:]
    private var lastFetch: ContinuousClock.Instant?
    /// The fetch under way, which callers arriving meanwhile wait for: the actor is reentrant,
    /// and a second caller must not take "no such key" from a fetch that has not answered yet.
    private var pendingFetch: Task<Result<Bool, GuardError>, Never>?

    /// Creates a cache; nothing is fetched yet.
    public init(location: Location, http: HTTPClient = .shared, minimumRefetchInterval: Duration = .seconds(5), logger: Logger) {
        self.location = location
        self.http = http
        self.minimumRefetchInterval = minimumRefetchInterval
        self.logger = logger
        if case .jwks(let url) = location { jwksURL = url }
    }

    /// Creates a cache over a JWKS URL; nothing is fetched yet.
    public init(url: String, http: HTTPClient = .shared, minimumRefetchInterval: Duration = .seconds(5), logger: Logger) {
        self.init(location: .jwks(url), http: http, minimumRefetchInterval: minimumRefetchInterval, logger: logger)
    }

    /// The key collection that can verify a token signed by `kid` with `alg`, and whether the
    /// published key ids changed on the way: when `kid` is unknown and the last fetch is old
    /// enough, the JWKS is refetched first. Usable for any JWT this issuer signs (an ID token
    /// too); the algorithm must be one ``AccessTokenRules/allowedAlgorithms`` allows.
    public func keys(for kid: String, alg: String) async throws(GuardError) -> (keys: JWTKeyCollection, changed: Bool) {
        var changed = false
        // A fetch under way is joined (``refresh()`` does), whatever the refetch interval says.
        if algorithms[kid] == nil, pendingFetch != nil || lastFetch.map({ ContinuousClock.now - $0 >= minimumRefetchInterval }) ?? true {
            changed = try await refresh()
        }
        guard let published = algorithms[kid] else { throw GuardError(.unknownKey, "no published key with the token's kid") }
        guard published == alg else { throw GuardError(.algorithmNotAllowed, "header alg differs from the key's algorithm") }
        return (keys, changed)
    }

    /// Fetches the JWKS now and replaces the keys; returns whether the set of key ids changed.
    @discardableResult
    public func refresh() async throws(GuardError) -> Bool {
        if let pendingFetch { return try await pendingFetch.value.get() }
        let fetch = Task { () async -> Result<Bool, GuardError> in
            do throws(GuardError) {
                return .success(try await self.fetchAndReplace())
            } catch {
                return .failure(error)
            }
        }
        pendingFetch = fetch
        defer { pendingFetch = nil }
        return try await fetch.value.get()
    }

    /// One fetch of the JWKS, replacing the keys; whether the set of key ids changed.
    private func fetchAndReplace() async throws(GuardError) -> Bool {
        lastFetch = .now
        let url = try await resolvedJWKSURL()
        let jwks = try await fetch(JWKS.self, from: url, what: "JWKS")
        let fresh = JWTKeyCollection()
        var found: [String: String] = [:]
        for jwk in jwks.keys {
            guard let kid = jwk.keyIdentifier?.string, let alg = jwk.algorithm?.rawValue,
                AccessTokenRules.allowedAlgorithms.contains(alg)
            else { continue }
            do {
                try await fresh.add(jwk: jwk)
                found[kid] = alg
            } catch {
                logger.warning("JWKS key skipped", metadata: ["kid": "\(kid)", "error": "\(error)"])
            }
        }
        let changed = Set(found.keys) != Set(algorithms.keys)
        keys = fresh
        algorithms = found
        if changed { logger.info("JWKS keys changed", metadata: ["kids": "\(found.keys.sorted())"]) }
        return changed
    }

    /// The JWKS URL, read from the discovery document the first time when configured so.
    private func resolvedJWKSURL() async throws(GuardError) -> String {
        if let jwksURL { return jwksURL }
        guard case .discovery(let url, let issuer) = location else { throw GuardError(.jwksUnavailable, "no JWKS URL") }
        struct Discovery: Decodable {
            var issuer: String
            var jwks_uri: String
        }
        let document = try await fetch(Discovery.self, from: url, what: "discovery document")
        guard document.issuer == issuer else { throw GuardError(.jwksUnavailable, "discovery document names another issuer") }
        jwksURL = document.jwks_uri
        return document.jwks_uri
    }

    private func fetch<T: Decodable>(_ type: T.Type, from url: String, what: String) async throws(GuardError) -> T {
        do {
            let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else { throw GuardError(.jwksUnavailable, "\(what) answered \(response.status.code)") }
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch let error as GuardError {
            throw error
        } catch {
            logger.warning("\(what) fetch failed", metadata: ["url": "\(url)", "error": "\(error)"])
            throw GuardError(.jwksUnavailable, "\(what) could not be fetched or parsed")
        }
    }
}
