import Foundation
import JWTKit

/// Validates RFC 9068 access tokens: header allowlist before any signature work, signature
/// against the issuer's JWKS, claims with the configured skew, then the revocation state.
///
/// A token validated once is remembered until it expires, so presenting it again costs one
/// hash lookup under a lock — but every validation, cached or not, still checks expiry, the
/// deny-list and the staleness bound.
public struct AccessTokenValidator: Sendable {
    /// The issuer, audience and skew.
    public let rules: AccessTokenRules
    /// The issuer's keys.
    public let jwks: JWKSCache
    /// Revocations and freshness, shared with the subscriber.
    public let revocations: RevocationState
    private let cache: ValidationCache
    private let parser = DefaultJWTParser()

    /// Creates a validator; `cacheCapacity` bounds the number of remembered tokens.
    public init(rules: AccessTokenRules, jwks: JWKSCache, revocations: RevocationState, cacheCapacity: Int = 100_000) {
        self.rules = rules
        self.jwks = jwks
        self.revocations = revocations
        cache = ValidationCache(capacity: cacheCapacity)
    }

    /// Validates `token` (the text after `Bearer `) at `now` and returns its claims.
    public func validate(_ token: String, now: Date = Date()) async throws(GuardError) -> AccessToken {
        let unixNow = Int64(now.timeIntervalSince1970.rounded(.down))
        if let cached = cache.lookup(token) {
            guard unixNow < cached.expiresAt + rules.skewSeconds else { throw GuardError(.expired, "exp has passed") }
            try revocations.check(cached, at: now)
            return cached
        }
        let claims = try await verify(token, unixNow: unixNow)
        try revocations.check(claims, at: now)
        cache.insert(token, claims, unixNow: unixNow)
        return claims
    }

    /// Forgets every remembered token, e.g. after the issuer withdrew a key.
    public func clearCache() {
        cache.removeAll()
    }

    /// Header, signature and claims: the uncached path.
    private func verify(_ token: String, unixNow: Int64) async throws(GuardError) -> AccessToken {
        let header: JWTHeader
        let payload: AccessTokenPayload
        do {
            (header, payload, _) = try parser.parse(Array(token.utf8), as: AccessTokenPayload.self)
        } catch {
            throw GuardError(.malformedToken, "not a compact JWS with JSON header and payload")
        }
        let (kid, alg) = try rules.checkHeader(header)
        let (keys, changed) = try await jwks.keys(for: kid, alg: alg)
        // Tokens remembered under a key the issuer no longer publishes must be checked again.
        if changed { cache.removeAll() }
        do {
            _ = try await keys.verify(token, as: AccessTokenPayload.self)
        } catch {
            throw GuardError(.badSignature, "signature does not verify")
        }
        return try rules.checkClaims(payload, now: unixNow)
    }
}
