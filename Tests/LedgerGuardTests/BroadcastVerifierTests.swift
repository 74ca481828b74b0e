import Foundation
import LedgerDomain
import LedgerGuard
import Logging
import Synchronization
import Testing

/// The verifier alone, against a ``FakeIssuer``'s JWKS: a message signed by the issuer's key
/// as a `secevent+jwt` with the configured `iss` comes back as its claims; every other one is
/// refused with the reason the subscriber counts it under.
@Suite("Broadcast verifier")
struct BroadcastVerifierTests {
    typealias F = SubscriberFixture

    /// Runs `body` with a verifier over a fake issuer publishing `signer`'s key, and a counter of
    /// its `keysChanged` calls.
    static func with(
        refetchInterval: Duration = .seconds(3600),
        _ body: @Sendable (BroadcastVerifier, TestSigner, FakeIssuer, Changes) async throws -> Void
    ) async throws {
        let signer = try await TestSigner()
        try await FakeIssuer.with([signer.jwk]) { issuer in
            var logger = Logger(label: "test.guard")
            logger.logLevel = .critical
            let changes = Changes()
            let verifier = BroadcastVerifier(
                issuer: TestSigner.issuer, jwks: JWKSCache(url: issuer.jwksURL, minimumRefetchInterval: refetchInterval, logger: logger)
            ) { changes.count.add(1, ordering: .relaxed) }
            try await body(verifier, signer, issuer, changes)
        }
    }

    /// Counts the verifier's `keysChanged` calls.
    final class Changes: Sendable {
        let count = Atomic(0)
        var value: Int { count.load(ordering: .relaxed) }
    }

    /// The code `verify` refuses `compact` with, or nil when it verifies.
    static func refusal(_ verifier: BroadcastVerifier, _ compact: String) async -> GuardError.Code? {
        do {
            _ = try await verifier.verify(compact)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a revocation and a heartbeat signed by the issuer verify to exactly their claims")
    func verifies() async throws {
        try await Self.with { verifier, signer, _, changes in
            for scope in Revocation.Scope.allCases {
                let message = F.message(F.revocation(scope, "id-\(scope)", notBefore: 1_767_225_601), seq: 12, prevSeq: 9)
                #expect(try await verifier.verify(try await signer.sign(message)) == message)
            }
            // The first fetch of the JWKS counts as a change (no keys were known).
            #expect(changes.value == 1)
            let heartbeat = F.heartbeat(seq: 12)
            let verified = try await verifier.verify(try await signer.sign(heartbeat))
            #expect(verified == heartbeat)
            #expect(verified.kind == .heartbeat)
            // The full media type is accepted too (RFC 8417 §2.3), in any case.
            #expect(try await verifier.verify(try await signer.sign(heartbeat, typ: "application/secevent+jwt")) == heartbeat)
            #expect(try await verifier.verify(try await signer.sign(heartbeat, typ: "SECEVENT+JWT")) == heartbeat)
            #expect(changes.value == 1)
        }
    }

    @Test("every forgery is refused with its reason")
    func refusals() async throws {
        try await Self.with { verifier, signer, _, _ in
            let message = F.message(F.revocation(.client, "client-a", notBefore: F.future), seq: 1_000_012, prevSeq: 9)
            let signed = try await signer.sign(message)
            let parts = signed.split(separator: ".", omittingEmptySubsequences: false)
            let typ = TestSigner.broadcastType
            var edited = message
            edited.seq += 1
            let cases: [(String, String, GuardError.Code)] = [
                ("empty", "", .malformedToken),
                ("text", "not json", .malformedToken),
                ("three dots", "a.b.c", .malformedToken),
                ("oversized", String(repeating: "a", count: BroadcastVerifier.maximumSize + 1), .malformedToken),
                ("unsigned JSON claims", String(decoding: try JSONEncoder().encode(message), as: UTF8.self), .malformedToken),
                ("an access token", try await signer.sign(TestClaims()), .malformedToken),
                ("impostor key, real kid", try await signer.signAsImpostor(message), .badSignature),
                ("impostor key, unknown kid", try await signer.signAsImpostor(message, kid: "kid-not-published"), .unknownKey),
                ("no kid", try TestSigner.forge(header: ["alg": "ES256", "typ": typ], message: message, signature: String(parts[2])), .unknownKey),
                ("alg none", try TestSigner.forge(header: ["alg": "none", "typ": typ, "kid": signer.kid], message: message), .algorithmNotAllowed),
                ("HS256 keyed with the JWK", try await signer.signHS256(message), .algorithmNotAllowed),
                (
                    "RS256 header on the ES256 key",
                    try TestSigner.forge(header: ["alg": "RS256", "typ": typ, "kid": signer.kid], message: message, signature: String(parts[2])),
                    .algorithmNotAllowed
                ),
                ("typ JWT", try await signer.sign(message, typ: "JWT"), .wrongType),
                ("typ at+jwt", try await signer.sign(message, typ: "at+jwt"), .wrongType),
                ("no typ", try await signer.sign(message, typ: nil), .wrongType),
                (
                    "crit extension",
                    try TestSigner.forge(header: ["alg": "ES256", "typ": typ, "kid": signer.kid, "crit": ["exp"]], message: message), .malformedToken
                ),
                ("wrong iss", try await signer.sign(F.message(F.revocation(.grant, "g"), seq: 5, prevSeq: 0, issuer: "https://impostor.test")), .wrongIssuer),
                (
                    "neither event",
                    try await signer.sign(BroadcastMessage(iss: TestSigner.issuer, jti: "e", iat: message.iat, seq: 5, prevSeq: 5, events: .init())),
                    .malformedMessage
                ),
                (
                    "both events",
                    try await signer.sign(
                        BroadcastMessage(
                            iss: TestSigner.issuer, jti: "b", iat: message.iat, seq: 5, prevSeq: 5,
                            events: .init(revoked: message.events.revoked, heartbeat: HeartbeatEvent())
                        )
                    ),
                    .malformedMessage
                ),
                ("tampered payload", try TestSigner.tamper(signed, with: edited), .badSignature),
                ("signature stripped", "\(parts[0]).\(parts[1]).", .badSignature),
                ("signature of another message", "\(parts[0]).\(parts[1]).\(try await signer.sign(edited).split(separator: ".")[2])", .badSignature),
            ]
            for (name, compact, code) in cases {
                #expect(await Self.refusal(verifier, compact) == code, "\(name)")
            }
            #expect(await Self.refusal(verifier, signed) == nil)
        }
    }

    @Test("a message signed by a newly published key verifies after one refetch, which reports the key change")
    func rotation() async throws {
        try await Self.with(refetchInterval: .zero) { verifier, signer, issuer, changes in
            let heartbeat = F.heartbeat(seq: 3)
            #expect(try await verifier.verify(try await signer.sign(heartbeat)) == heartbeat)
            let (fetches, changed) = (issuer.fetchCount, changes.value)
            let next = try await TestSigner()
            issuer.publish([signer.jwk, next.jwk])
            #expect(try await verifier.verify(try await next.sign(heartbeat)) == heartbeat)
            #expect(issuer.fetchCount == fetches + 1)
            #expect(changes.value == changed + 1)
            // Known keys are not fetched again.
            #expect(try await verifier.verify(try await signer.sign(heartbeat)) == heartbeat)
            #expect(issuer.fetchCount == fetches + 1)
        }
    }
}
