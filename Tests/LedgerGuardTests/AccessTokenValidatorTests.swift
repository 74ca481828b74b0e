import WebEncoding
import Foundation
import JWTKit
import LedgerDomain
import LedgerGuard
import Logging
import Testing
import LedgerService

/// RFC 9068 validation: what is accepted, and every refusal with its typed code.
@Suite("Access token validator")
struct AccessTokenValidatorTests {
    @Test("a valid ES256 at+jwt is accepted with its claims, also as application/at+jwt, and again from the cache")
    func accepts() async throws {
        try await ValidatorFixture.with { f in
            var claims = TestClaims()
            claims.sid = "sid-1"
            let token = try await f.signer.sign(claims)
            let validated = try await f.validator.validate(token)
            #expect(validated.subject == "alice")
            #expect(validated.clientID == "client-a")
            #expect(validated.grantID == "grant-a")
            #expect(validated.sid == "sid-1")
            #expect(validated.jti == claims.jti)
            #expect(validated.scopes == ["openid", "read"])
            #expect(try await f.validator.validate(token) == validated)
            try await f.expect(f.signer.sign(typ: "application/at+jwt"), refusedAs: nil)
            #expect(f.server.fetchCount == 1)
        }
    }

    @Test("alg none, HS256 and other algorithms are refused before any key is looked up")
    func algorithmAllowlist() async throws {
        try await ValidatorFixture.with { f in
            for alg in ["none", "HS256", "HS512", "ES384", "PS256"] {
                let forged = try TestSigner.forge(header: ["alg": alg, "typ": "at+jwt", "kid": f.signer.kid], signature: alg == "none" ? "" : "c2ln")
                #expect(await f.refusal(forged) == .algorithmNotAllowed, "alg \(alg)")
            }
            #expect(f.server.fetchCount == 0)
            // A header naming an allowed algorithm other than the key's is refused too.
            let mismatched = try TestSigner.forge(header: ["alg": "RS256", "typ": "at+jwt", "kid": f.signer.kid], signature: "c2ln")
            #expect(await f.refusal(mismatched) == .algorithmNotAllowed)
        }
    }

    @Test("typ other than at+jwt, or none, is refused")
    func type() async throws {
        try await ValidatorFixture.with { f in
            try await f.expect(f.signer.sign(typ: "JWT"), refusedAs: .wrongType)
            try await f.expect(f.signer.sign(typ: nil), refusedAs: .wrongType)
            try await f.expect(f.signer.sign(typ: "id_token+jwt"), refusedAs: .wrongType)
        }
    }

    @Test("wrong issuer or audience is refused")
    func issuerAndAudience() async throws {
        try await ValidatorFixture.with { f in
            var claims = TestClaims()
            claims.iss = "https://issuer.test/"
            try await f.expect(f.signer.sign(claims), refusedAs: .wrongIssuer)
            claims = TestClaims()
            claims.aud = "https://other-api.test"
            try await f.expect(f.signer.sign(claims), refusedAs: .wrongAudience)
        }
    }

    @Test("exp, iat and nbf are checked with the skew, never more than 15 s")
    func times() async throws {
        try await ValidatorFixture.with(skew: .seconds(15)) { f in
            let now = Int64(Date().timeIntervalSince1970)
            var claims = TestClaims()
            claims.exp = now - 5
            try await f.expect(f.signer.sign(claims), refusedAs: nil)
            claims.exp = now - 16
            try await f.expect(f.signer.sign(claims), refusedAs: .expired)
            claims = TestClaims()
            claims.iat = now + 8
            try await f.expect(f.signer.sign(claims), refusedAs: nil)
            claims.iat = now + 30
            try await f.expect(f.signer.sign(claims), refusedAs: .notYetValid)
            claims = TestClaims()
            claims.nbf = now + 30
            try await f.expect(f.signer.sign(claims), refusedAs: .notYetValid)
        }
        #expect(AccessTokenRules(issuer: "i", audience: "a", clockSkew: .seconds(60)).clockSkew == .seconds(15))
    }

    @Test("a cached token is refused once it expires")
    func cachedExpiry() async throws {
        try await ValidatorFixture.with(skew: .zero) { f in
            let token = try await f.signer.sign()
            let validated = try await f.validator.validate(token)
            let later = Date(timeIntervalSince1970: TimeInterval(validated.expiresAt))
            #expect(await f.refusal(token, now: later) == .expired)
        }
    }

    @Test("each required claim, when missing, is refused as missing")
    func requiredClaims() async throws {
        try await ValidatorFixture.with { f in
            let removals: [(String, (inout TestClaims) -> Void)] = [
                ("jti", { $0.jti = nil }), ("sub", { $0.sub = nil }), ("client_id", { $0.client_id = nil }),
                ("iat", { $0.iat = nil }), ("exp", { $0.exp = nil }), ("grant_id", { $0.grant_id = nil }),
                ("iss", { $0.iss = nil }), ("aud", { $0.aud = nil }), ("empty jti", { $0.jti = "" }),
            ]
            for (name, remove) in removals {
                var claims = TestClaims()
                remove(&claims)
                try await f.expect(f.signer.sign(claims), refusedAs: .missingClaim, "\(name)")
            }
        }
    }

    @Test("a bad signature, a tampered payload and garbage are refused")
    func signatures() async throws {
        try await ValidatorFixture.with { f in
            let other = try await TestSigner()
            try await f.expect(other.sign(headerKid: f.signer.kid), refusedAs: .badSignature)
            let token = try await f.signer.sign()
            let parts = token.split(separator: ".")
            var claims = TestClaims()
            claims.sub = "mallory"
            let tampered = [String(parts[0]), try JSONEncoder().encode(claims).base64URLEncoded, String(parts[2])].joined(separator: ".")
            #expect(await f.refusal(tampered) == .badSignature)
            for garbage in ["", "abc", "a.b.c", "....", String(repeating: "x", count: 10_000)] {
                #expect(await f.refusal(garbage) == .malformedToken)
            }
        }
    }

    @Test("an unknown kid triggers a JWKS refetch: a rotated-in key is accepted, a withdrawn one refused")
    func rotation() async throws {
        try await ValidatorFixture.with(refetchInterval: .zero) { f in
            let oldToken = try await f.signer.sign()
            _ = try await f.validator.validate(oldToken)
            #expect(f.server.fetchCount == 1)
            // Rotation: the issuer publishes a new key and withdraws the old one.
            let next = try await TestSigner()
            f.server.publish([next.jwk])
            try await f.expect(next.sign(), refusedAs: nil)
            #expect(f.server.fetchCount == 2)
            // The key set changed: remembered tokens are checked again, and the old key is gone.
            await f.expect(oldToken, refusedAs: .unknownKey)
            try await f.expect(f.signer.sign(), refusedAs: .unknownKey)
        }
    }

    @Test("callers arriving while the first JWKS fetch is under way wait for it instead of finding no key")
    func concurrentFirstUse() async throws {
        let signer = try await TestSigner()
        try await FakeIssuer.with([signer.jwk]) { issuer in
            issuer.state.withLock { $0.jwksDelay = .milliseconds(300) }
            var logger = Logger(label: "test.guard")
            logger.logLevel = .critical
            let cache = JWKSCache(url: issuer.jwksURL, logger: logger)
            let found = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { (try? await cache.keys(for: signer.kid, alg: "ES256")) != nil } }
                var all: [Bool] = []
                for await one in group { all.append(one) }
                return all
            }
            #expect(found == Array(repeating: true, count: 8))
            #expect(issuer.fetchCount == 1)
        }
    }

    @Test("the JWKS is found through the discovery document, whose issuer must match")
    func discovery() async throws {
        let signer = try await TestSigner()
        try await FakeIssuer.with([signer.jwk]) { issuer in
            var logger = Logger(label: "test.guard")
            logger.logLevel = .error
            let state = RevocationState(stalenessBound: .seconds(3600))
            state.update { $0.caughtUp(items: [], head: 0, at: Instant.current().milliseconds) }
            let rules = AccessTokenRules(issuer: TestSigner.issuer, audience: TestSigner.audience)
            let discovered = AccessTokenValidator(
                rules: rules,
                jwks: JWKSCache(location: .discovery(issuer.baseURL + "/.well-known/openid-configuration", issuer: TestSigner.issuer), logger: logger),
                revocations: state
            )
            let token = try await signer.sign()
            #expect(try await discovered.validate(token).subject == "alice")
            issuer.state.withLock { $0.discoveryIssuer = "https://impostor.test" }
            let misled = AccessTokenValidator(
                rules: rules,
                jwks: JWKSCache(location: .discovery(issuer.baseURL + "/.well-known/openid-configuration", issuer: TestSigner.issuer), logger: logger),
                revocations: state
            )
            await #expect(throws: GuardError(.jwksUnavailable, "discovery document names another issuer")) { try await misled.validate(token) }
        }
    }

    @Test("refetches on unknown kids are rate-limited")
    func refetchRateLimit() async throws {
        try await ValidatorFixture.with(refetchInterval: .seconds(3600)) { f in
            try await f.expect(f.signer.sign(), refusedAs: nil)
            for _ in 0..<5 {
                try await f.expect(TestSigner().sign(), refusedAs: .unknownKey)
            }
            #expect(f.server.fetchCount == 1)
        }
    }

    @Test("revoked tokens and a stale revocation state are refused, cached or not")
    func revocationState() async throws {
        try await ValidatorFixture.with(stalenessBound: .seconds(3600)) { f in
            let token = try await f.signer.sign()
            let validated = try await f.validator.validate(token)
            let message = SubscriberFixture.message(
                SubscriberFixture.revocation(.grant, validated.grantID, until: validated.expiresAt), seq: 1, prevSeq: 0
            )
            #expect(f.validator.revocations.update { $0.received(message, at: Instant.current().milliseconds) } == .none)
            #expect(await f.refusal(token) == .revoked)
            try await f.expect(f.signer.sign(), refusedAs: .revoked)
            var other = TestClaims()
            other.grant_id = "grant-b"
            try await f.expect(f.signer.sign(other), refusedAs: nil)
            f.validator.revocations.update { $0.disconnected() }
            let staleLater = Date().addingTimeInterval(3601)
            #expect(throws: GuardError.self) { try f.validator.revocations.check(validated, at: staleLater) }
        }
    }
}
