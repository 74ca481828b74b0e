import WebEncoding
import Foundation
import JWTKit
import LedgerDomain
import LedgerPostgres
import Logging
import ServiceLifecycle

/// The signing keys as this replica sees them: one active key per algorithm, and every key
/// JWKS publishes. The policy's algorithm signs access tokens, broadcasts and export
/// manifests; ID tokens are signed with the algorithm their client registered (RS256 or
/// ES256, OpenID Connect Registration §2), so the ring keeps an active key of each. Reloaded
/// from the database periodically, so a rotation by any replica or by `tokenledger keys
/// rotate` reaches all of them.
///
/// Rotation publishes first and signs later: `rotate()` adds the next key of each algorithm as
/// *published*; once it has been in JWKS for `publishLead`, a refresh activates it and retires
/// the previous key of that algorithm, which stays published until every token it signed has
/// expired (`retiredKeyLifetime`).
package actor KeyRing: Service {
    /// Policies of the key ring.
    package struct Policy: Sendable {
        /// Algorithm of access tokens, broadcasts and export manifests: ES256 (default), RS256
        /// or EdDSA.
        package var algorithm = "ES256"
        /// How long a new key is published before it signs.
        package var publishLead: Duration = .seconds(60)
        /// How long a retired key stays published: the longest any token it signed can live
        /// (``Lifetimes/maximumTokenLifetime``), so every such token expires before its key
        /// leaves JWKS.
        package var retiredKeyLifetime: Duration = Lifetimes.maximumTokenLifetime
        /// How often keys are reloaded.
        package var refreshInterval: Duration = .seconds(5)
        /// The least time between two reloads caused by a token naming a key this replica has
        /// not loaded yet (another replica's new key), so forged key ids cannot hammer the database.
        package var unknownKeyRefreshInterval: Duration = .seconds(1)
        /// Makes the private material of a new key of an algorithm.
        package var generate: @Sendable (_ algorithm: String) throws(JOSEError) -> SigningKeyMaterial = SigningKeyMaterial.generate

        package init() {}
    }

    private let store: SigningKeyStore
    private let secret: String?
    private let policy: Policy
    private let now: @Sendable () -> Instant
    private let logger: Logger
    private var collection = JWTKeyCollection()
    /// The key that signs, by algorithm.
    private var activeKeys: [String: KeyID] = [:]
    private var published: [SigningKey] = []
    /// Algorithm of every key whose signatures are accepted (active, published or retired but
    /// still published), by key id.
    private var verifiable: [KeyID: String] = [:]
    /// When a token with an unknown `kid` last caused a reload.
    private var lastUnknownKeyRefresh: Instant?

    /// Creates a key ring. `secret` unseals private keys; without it the ring can only publish.
    package init(store: SigningKeyStore, secret: String?, policy: Policy, logger: Logger, now: @escaping @Sendable () -> Instant = Instant.current) {
        self.store = store
        self.secret = secret
        self.policy = policy
        self.logger = logger
        self.now = now
    }

    /// The algorithms a client may register for its ID tokens; the ring keeps a key of each.
    package static let idTokenAlgorithms = ["RS256", "ES256"]

    /// The key id that signs new access tokens (the policy's algorithm).
    package var signingKeyID: KeyID? { activeKeys[policy.algorithm] }

    /// Every algorithm the ring keeps an active key of: the policy's, then the ID tokens'.
    private var algorithms: [String] { [policy.algorithm] + Self.idTokenAlgorithms.filter { $0 != policy.algorithm } }

    /// The JWKS document: every published key's public JWK.
    package func jwksJSON() -> String {
        "{\"keys\":[" + published.map(\.publicJWK).joined(separator: ",") + "]}"
    }

    /// Loads the keys; creates and activates a first key of each algorithm that has none.
    package func start() async throws {
        try await refresh()
        let missing = algorithms.filter { activeKeys[$0] == nil }
        guard !missing.isEmpty else { return }
        for algorithm in missing {
            let kid = try await addKey(algorithm)
            _ = try await store.execute(.activate, on: kid, context: DecisionContext(now: now()), metadata: .system)
        }
        try await refresh()
    }

    /// Publishes the next key of each algorithm; each signs once it has been published for the
    /// policy's lead time. Returns the next key of the policy's algorithm.
    @discardableResult
    package func rotate() async throws -> KeyID {
        var next: [KeyID] = []
        for algorithm in algorithms { next.append(try await addKey(algorithm)) }
        try await refresh()
        return next[0]
    }

    /// Reloads keys, promoting a published key whose lead time has passed.
    package func refresh() async throws {
        let at = now()
        var keys = try await store.all()
        var promoted = false
        for algorithm in Set(keys.map(\.key.algorithm)) {
            guard let next = keys.last(where: {
                $0.key.algorithm == algorithm && $0.key.status == .published && $0.key.addedAt.adding(policy.publishLead) <= at
            }) else { continue }
            for current in keys where current.key.status == .active && current.key.algorithm == algorithm {
                _ = try await store.execute(.retire(publishUntil: at.adding(policy.retiredKeyLifetime)), on: current.key.id, context: DecisionContext(now: at), metadata: .system)
            }
            _ = try await store.execute(.activate, on: next.key.id, context: DecisionContext(now: at), metadata: .system)
            logger.info("signing key activated", metadata: ["kid": "\(next.key.id)", "alg": "\(algorithm)"])
            promoted = true
        }
        if promoted { keys = try await store.all() }
        let fresh = JWTKeyCollection()
        var active: [String: KeyID] = [:]
        var registered: Set<KeyID> = []
        for stored in keys where stored.key.status == .active {
            guard let sealed = stored.sealedPrivateKey, let secret else { continue }
            let material = try SigningKeyMaterial.unseal(sealed, algorithm: stored.key.algorithm, kid: stored.key.id, secret: secret)
            try await material.register(in: fresh, kid: stored.key.id)
            active[stored.key.algorithm] = stored.key.id
            registered.insert(stored.key.id)
        }
        var algorithms: [KeyID: String] = [:]
        for stored in keys where stored.key.isPublished(at: at) && SigningKey.allowedAlgorithms.contains(stored.key.algorithm) {
            algorithms[stored.key.id] = stored.key.algorithm
            guard !registered.contains(stored.key.id) else { continue }
            try await fresh.add(jwk: JSONDecoder().decode(JWK.self, from: Data(stored.key.publicJWK.utf8)))
        }
        collection = fresh
        activeKeys = active
        verifiable = algorithms
        published = keys.map(\.key).filter { $0.isPublished(at: at) }
    }

    /// Signs a payload with the active key of the policy's algorithm, with `typ` in the header
    /// (e.g. `at+jwt`).
    package func sign(_ payload: some JWTPayload, type: String) async throws -> String {
        try await sign(type: type) { _ in payload }
    }

    /// Signs the payload `build` makes with the active key of `algorithm` (the policy's when
    /// nil): an ID token's `at_hash` depends on the algorithm. The key is fixed before `build`
    /// runs, so a concurrent rotation cannot make the two disagree.
    package func sign<Payload: JWTPayload>(
        type: String, algorithm requested: String? = nil, _ build: @Sendable (_ algorithm: String) -> Payload
    ) async throws -> String {
        guard let kid = activeKeys[requested ?? policy.algorithm], let algorithm = verifiable[kid] else {
            throw JOSEError(.noActiveKey, "no active \(requested ?? policy.algorithm) signing key")
        }
        var header = JWTHeader()
        header.typ = type
        return try await collection.sign(build(algorithm), kid: JWKIdentifier(string: kid.rawValue), header: header)
    }

    /// Verifies the signature of a JWT signed by one of this ring's published keys and decodes
    /// its payload. The header must name a known `kid` and carry exactly that key's algorithm
    /// (ES256, RS256 or EdDSA — never `none` or HS*, I7), and, when `type` is given, that `typ`
    /// (or its `application/` form, RFC 8725 §3.11). Claims are the caller's to check.
    package func verify<Payload: JWTPayload>(_ token: String, as: Payload.Type, type: String? = nil) async throws -> Payload {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Data(jwtSegment: parts[0]),
            let header = try? JSONDecoder().decode(JWTHeader.self, from: headerData),
            let kid = header.kid.map(KeyID.init)
        else { throw JOSEError(.algorithmNotAllowed, "token header names no published key and algorithm") }
        if let type {
            let presented = header.typ?.lowercased()
            guard presented == type || presented == "application/" + type else { throw JOSEError(.wrongType, "token typ is not \(type)") }
        }
        if verifiable[kid] == nil { await reloadForUnknownKey() }
        guard let algorithm = verifiable[kid], header.alg == algorithm else {
            throw JOSEError(.algorithmNotAllowed, "token header names no published key and algorithm")
        }
        return try await collection.verify(token, as: Payload.self)
    }

    /// Reloads the keys when a token names one this replica has not loaded: another replica
    /// may have just created it. At most once per `unknownKeyRefreshInterval`.
    private func reloadForUnknownKey() async {
        let at = now()
        if let last = lastUnknownKeyRefresh, at < last.adding(policy.unknownKeyRefreshInterval) { return }
        lastUnknownKeyRefresh = at
        do { try await refresh() } catch { logger.error("key refresh failed", metadata: ["error": "\(error)"]) }
    }

    /// Refreshes every `refreshInterval` until shutdown.
    package func run() async throws {
        try await start()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: policy.refreshInterval)
            do { try await refresh() } catch { logger.error("key refresh failed", metadata: ["error": "\(error)"]) }
        }
    }

    private func addKey(_ algorithm: String) async throws -> KeyID {
        guard let secret else { throw JOSEError(.missingSecret, "TOKENLEDGER_KEY_SECRET is required to create signing keys") }
        let material = try policy.generate(algorithm)
        let at = now()
        let kid = KeyID(LedgerID.make(at: at))
        let added = SigningKeyAdded(keyID: kid, algorithm: material.algorithm, publicJWK: try material.publicJWK(kid: kid), at: at)
        _ = try await store.add(added, sealedPrivateKey: try material.sealed(kid: kid, secret: secret), context: DecisionContext(now: at), metadata: .system)
        logger.info("signing key published", metadata: ["kid": "\(kid)", "alg": "\(material.algorithm)"])
        return kid
    }
}
