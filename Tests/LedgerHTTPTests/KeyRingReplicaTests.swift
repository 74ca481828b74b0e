import Foundation
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import Testing
import LedgerService

@Suite("Key rings of several replicas")
struct KeyRingReplicaTests {
    @Test("a replica verifies a token signed with a key another replica activated after its last reload")
    func unknownKeyReloads() async throws {
        try await TestDatabase.withLedger(replicas: 2) { ledger in
            var logger = Logger(label: "test.keys")
            logger.logLevel = .error
            let first = try await KeyRing.started(on: ledger.replicas[0], logger: logger)
            let second = try await KeyRing.started(on: ledger.replicas[1], logger: logger)
            #expect(await first.signingKeyID == second.signingKeyID)

            // The first replica rotates (no publish lead: the new key signs at once); the second
            // has not reloaded since.
            let rotated = try await first.rotate()
            #expect(await first.signingKeyID == rotated)
            #expect(await second.signingKeyID != rotated)
            let token = try await first.sign(Self.claims(), type: "at+jwt")

            let verified = try await second.verify(token, as: AccessTokenClaims.self)
            #expect(verified.jti == "jti-1")
            #expect(await second.jwksJSON().contains(rotated.rawValue))
        }
    }

    @Test("a token naming a key no replica has is still refused after the reload")
    func unknownKeyStaysRefused() async throws {
        try await TestDatabase.withLedger { ledger in
            var logger = Logger(label: "test.keys")
            logger.logLevel = .error
            let keys = try await KeyRing.started(on: ledger.primary, logger: logger)
            let token = try await keys.sign(Self.claims(), type: "at+jwt")
            let header = Data(#"{"alg":"ES256","kid":"no-such-key","typ":"at+jwt"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let forged = ([header] + token.split(separator: ".").dropFirst().map(String.init)).joined(separator: ".")
            await #expect(throws: JOSEError.self) { try await keys.verify(forged, as: AccessTokenClaims.self) }
        }
    }

    static func claims() -> AccessTokenClaims {
        AccessTokenClaims(
            issuer: "https://issuer.test", audience: ["https://issuer.test"], grant: GrantID("g-1"), subject: Subject("alice"),
            client: ClientID("client-a"), session: nil, scope: Scope(["openid"]), jti: TokenID("jti-1"),
            issuedAt: Instant.current(), expiresAt: Instant.current().adding(.seconds(600))
        )
    }
}
