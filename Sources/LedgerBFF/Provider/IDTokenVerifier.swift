import JWTKit
import LedgerGuard

/// Checks the ID token of a code exchange (OIDC Core §3.1.3.7): RS256 or ES256 only, a key the
/// issuer publishes (the kit's JWKS cache, refetched at most every few seconds for an unknown
/// `kid`), `iss`, `aud` naming this client (and `azp` when several audiences), `exp` and
/// `iat` within 15 s of skew, and the `nonce` this login sent.
struct IDTokenVerifier: Sendable {
    /// The claims the BFF keeps.
    struct Claims: JWTPayload, Sendable {
        var iss: String
        var sub: String
        var aud: AudienceClaim
        var exp: Int64
        var iat: Int64
        var nonce: String?
        var sid: String?
        var azp: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The signature algorithms accepted.
    static let algorithms: Set<String> = ["RS256", "ES256"]
    /// Tolerance for `exp` and `iat`.
    static let skewSeconds: Int64 = 15

    let issuer: String
    let clientID: String
    let jwks: JWKSCache
    private let parser = DefaultJWTParser()

    /// The claims of `token`, or the reason it is refused.
    func verify(_ token: String, nonce: String, now: Int64) async throws(BFFError) -> Claims {
        let refused = { (detail: String) in BFFError(.loginRefused, detail) }
        guard let (header, _, _) = try? parser.parse(Array(token.utf8), as: Claims.self) else { throw refused("the ID token is malformed") }
        guard let alg = header.alg, Self.algorithms.contains(alg) else { throw refused("the ID token's algorithm is not accepted") }
        guard let kid = header.kid else { throw refused("the ID token names no key") }
        let keys: JWTKeyCollection
        do throws(GuardError) {
            keys = try await jwks.keys(for: kid, alg: alg).keys
        } catch {
            throw error.code == .jwksUnavailable ? BFFError(.unavailable, "the issuer's keys cannot be fetched") : refused("the ID token's key is not published")
        }
        guard let claims = try? await keys.verify(token, as: Claims.self) else { throw refused("the ID token's signature does not verify") }
        guard claims.iss == issuer else { throw refused("the ID token names another issuer") }
        guard claims.aud.value.contains(clientID) else { throw refused("the ID token is for another client") }
        if claims.aud.value.count > 1 || claims.azp != nil, claims.azp != clientID { throw refused("the ID token's azp is not this client") }
        guard now < claims.exp + Self.skewSeconds else { throw refused("the ID token has expired") }
        guard claims.iat <= now + Self.skewSeconds else { throw refused("the ID token is issued in the future") }
        guard let sent = claims.nonce, constantTimeEquals(sent, nonce) else { throw refused("the ID token's nonce does not match") }
        return claims
    }
}

/// Compares two strings without an early exit on the first differing byte.
func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let (x, y) = (Array(a.utf8), Array(b.utf8))
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
