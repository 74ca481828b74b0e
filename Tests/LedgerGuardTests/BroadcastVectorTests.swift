import Foundation
import LedgerDomain
import LedgerGuard
import LedgerTesting
import Logging
import Testing

/// The shared vectors of the signed broadcast (`Tests/Vectors/broadcast/`), which every kit
/// must agree on: each `accept` message verifies against `jwks.json` and `issuer` to exactly
/// its listed claims and is applied (renewing freshness unless `fresh` is false); each
/// `reject` message is refused with its `reason` and moves nothing. Genuine messages are made
/// by the same ``BroadcastMessage`` initialisers the relay uses;
/// `TOKENLEDGER_WRITE_VECTORS=1 swift test --filter BroadcastVectorTests` writes the files anew.
@Suite("Broadcast vectors")
struct BroadcastVectorTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors/broadcast")

    struct VectorFile: Codable {
        var description: String?
        var issuer: String
        var now: Int64
        var stalenessBoundSeconds: Int64
        var cases: [Vector]

        enum CodingKeys: String, CodingKey {
            case description, issuer, now, stalenessBoundSeconds = "staleness_bound_seconds", cases
        }
    }

    struct Vector: Codable {
        var name: String
        var message: String
        var verdict: String
        var reason: String?
        var fresh: Bool?
        var claims: BroadcastMessage?
    }

    static func load() throws -> (file: VectorFile, jwks: [String]) {
        let file = try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: directory.appendingPathComponent("messages.json")))
        let jwks = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("jwks.json"))) as? [String: Any]
        let keys = try (jwks?["keys"] as? [Any] ?? []).map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        return (file, keys)
    }

    /// A token issued 10 s before the vectors' now, carrying exactly the identifier `event` names.
    static func token(covering event: RevokedEvent, now: Int64) -> AccessToken {
        let id = event.identifier ?? ""
        return AccessToken(
            issuer: "https://issuer.vectors.test", subject: event.scope == .subject ? id : "nobody", audiences: ["api"],
            expiresAt: now + 600, issuedAt: now - 10, jti: event.scope == .token ? id : "other-jti",
            clientID: event.scope == .client ? id : "other-client", grantID: event.scope == .grant ? id : "other-grant",
            sid: event.scope == .session ? id : nil, scopes: []
        )
    }

    @Test("each vector gets its verdict: accepted ones verify to their claims, rejected ones fail with their reason", .enabled(if: !Self.writing))
    func verdicts() async throws {
        let (file, jwks) = try Self.load()
        #expect(file.cases.count(where: { $0.verdict == "accept" }) >= 7)
        #expect(file.cases.count(where: { $0.verdict == "reject" }) >= 9)
        try await FakeIssuer.with(jwks) { issuer in
            var logger = Logger(label: "test.guard")
            logger.logLevel = .critical
            let verifier = BroadcastVerifier(issuer: file.issuer, jwks: JWKSCache(url: issuer.jwksURL, logger: logger))
            for vector in file.cases {
                switch vector.verdict {
                case "accept":
                    let claims = try #require(vector.claims, "\(vector.name)")
                    #expect(try await verifier.verify(vector.message) == claims, "\(vector.name)")
                case "reject":
                    let reason = try #require(vector.reason, "\(vector.name)")
                    #expect(await BroadcastVerifierTests.refusal(verifier, vector.message)?.description == reason, "\(vector.name)")
                default:
                    Issue.record("\(vector.name): unknown verdict \(vector.verdict)")
                }
            }
        }
    }

    @Test("accepted vectors apply what they announce and renew freshness exactly when marked fresh", .enabled(if: !Self.writing))
    func appliedAndFresh() throws {
        let (file, _) = try Self.load()
        let now = file.now * 1000
        let bound = Duration.seconds(file.stalenessBoundSeconds)
        for vector in file.cases where vector.verdict == "accept" {
            let claims = try #require(vector.claims, "\(vector.name)")
            // In sync up to just before the message, last confirmed a minute before the vectors' now.
            var sync = RevocationSync()
            sync.caughtUp(items: [], head: claims.prevSeq, at: now - 60_000)
            #expect(!sync.isFresh(at: now, bound: bound))
            #expect(sync.received(claims, at: now) == .none, "\(vector.name)")
            #expect(sync.denyList.lastAppliedSeq == claims.seq, "\(vector.name)")
            #expect(sync.isFresh(at: now, bound: bound) == (vector.fresh ?? true), "\(vector.name)")
            switch claims.kind {
            case .revoked(let event):
                #expect(sync.denyList.count == 1, "\(vector.name)")
                #expect(sync.denyList.isRevoked(Self.token(covering: event, now: file.now)), "\(vector.name)")
            case .heartbeat:
                #expect(sync.denyList.count == 0, "\(vector.name)")
            case nil:
                Issue.record("\(vector.name): accepted but neither a revocation nor a heartbeat")
            }
        }
    }

    @Test("all vectors in order through a running kit: the accepted chain applies without a gap, every rejected one is counted and moves nothing", .enabled(if: !Self.writing))
    func throughTheKit() async throws {
        let (file, jwks) = try Self.load()
        let accepted = file.cases.filter { $0.verdict == "accept" }.compactMap(\.claims)
        let rejected = file.cases.count(where: { $0.verdict == "reject" })
        let highest = try #require(accepted.map(\.seq).max())
        // The fixture's own heartbeats are signed by a key the vectors' JWKS lacks: off.
        try await SubscriberFixture.with(heartbeats: false, issuer: file.issuer, jwks: jwks) { f in
            #expect(await eventually { f.kit.revocations.isFresh })
            let fetches = f.issuer.feedFetches
            for vector in file.cases { try await f.publishRaw(vector.message) }
            #expect(await eventually(timeout: .seconds(10)) {
                f.kit.revocations.rejectedMessages == rejected && f.kit.revocations.lastAppliedSeq == highest
            })
            // The messages chain through prev_seq from the empty log: no catch-up was needed.
            #expect(f.issuer.feedFetches == fetches)
            #expect(f.kit.revocations.lastAppliedSeq == highest)
            #expect(f.kit.revocations.rejectedMessages == rejected)
        }
    }

    @Test("the committed vectors are what the service's message format produces, and cover every case", .enabled(if: !Self.writing))
    func format() throws {
        let (file, _) = try Self.load()
        for vector in file.cases where vector.verdict == "accept" {
            let recorded = try #require(RedisChannelRecorder.Recorded(compact: vector.message, at: 0), "\(vector.name)")
            #expect(recorded.header["typ"] == .string("secevent+jwt"), "\(vector.name)")
            let claims = try #require(vector.claims, "\(vector.name)")
            #expect(recorded.claims == claims, "\(vector.name)")
            // The service encodes those claims back to the same JSON members.
            #expect(try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(claims)) == recorded.object, "\(vector.name)")
        }
        let names = Set(file.cases.map(\.name))
        for required in [
            "revoked-token", "revoked-grant", "revoked-session", "revoked-subject", "revoked-client", "heartbeat", "wrong-key",
            "alg-none", "hs256-public-key-as-secret", "edited-payload", "future-seq-bad-signature", "replayed-old-heartbeat",
        ] {
            #expect(names.contains(required), "missing vector \(required)")
        }
    }

    static let writing = ProcessInfo.processInfo.environment["TOKENLEDGER_WRITE_VECTORS"] == "1"

    @Test("writes the vectors", .enabled(if: Self.writing))
    func write() async throws {
        let issuer = "https://issuer.vectors.test"
        let now: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
        let signer = try await TestSigner(kid: "vectors-es256")
        try Data(#"{"keys":[\#(signer.jwk)]}"#.utf8).write(to: Self.directory.appendingPathComponent("jwks.json"))

        let at = Instant(seconds: now - 5)
        func message(_ scope: LedgerDomain.Revocation.Scope, _ id: String, _ reason: RevocationReason, seq: Int64, prev: Int64, iss: String = issuer) -> BroadcastMessage {
            let revocation = LedgerDomain.Revocation(
                scope: scope, identifier: id, notBefore: [.subject, .client].contains(scope) ? at : nil, until: Instant(seconds: now + 900), reason: reason
            )
            return BroadcastMessage(revocation: revocation, seq: seq, prevSeq: prev, occurredAt: at, issuer: iss, jti: "vector-\(seq)", signedAt: at)
        }
        var cases: [Vector] = []
        func accept(_ name: String, _ claims: BroadcastMessage, fresh: Bool = true) async throws {
            cases.append(Vector(name: name, message: try await signer.sign(claims), verdict: "accept", reason: nil, fresh: fresh, claims: claims))
        }
        func reject(_ name: String, _ compact: String, _ reason: GuardError.Code) {
            cases.append(Vector(name: name, message: compact, verdict: "reject", reason: reason.description, fresh: nil, claims: nil))
        }
        let scopes: [(String, LedgerDomain.Revocation.Scope, String, RevocationReason)] = [
            ("revoked-token", .token, "jti-1", .holderRequest), ("revoked-grant", .grant, "grant-1", .reuseDetected),
            ("revoked-session", .session, "sid-1", .logout), ("revoked-subject", .subject, "alice", .admin),
            ("revoked-client", .client, "client-1", .clientDeactivated),
        ]
        var previous: Int64 = 0
        for (index, (name, scope, id, reason)) in scopes.enumerated() {
            let seq = Int64(100 + 10 * index)
            try await accept(name, message(scope, id, reason, seq: seq, prev: previous))
            previous = seq
        }
        try await accept("heartbeat", .heartbeat(seq: previous, issuer: issuer, jti: "vector-heartbeat", signedAt: at))
        try await accept(
            "replayed-old-heartbeat", .heartbeat(seq: previous, issuer: issuer, jti: "vector-old-heartbeat", signedAt: Instant(seconds: now - 600)),
            fresh: false
        )

        let forged = message(.client, "client-1", .admin, seq: previous + 10, prev: previous)
        reject("wrong-key", try await signer.signAsImpostor(forged), .badSignature)
        reject("unknown-kid", try await signer.signAsImpostor(forged, kid: "vectors-unknown"), .unknownKey)
        reject("future-seq-bad-signature", try await signer.signAsImpostor(message(.client, "client-1", .admin, seq: previous + 1000, prev: previous + 990)), .badSignature)
        reject("alg-none", try TestSigner.forge(header: ["alg": "none", "kid": signer.kid, "typ": TestSigner.broadcastType], message: forged), .algorithmNotAllowed)
        reject("hs256-public-key-as-secret", try await signer.signHS256(forged), .algorithmNotAllowed)
        var edited = forged
        edited.events.revoked?.clientID = "client-2"
        reject("edited-payload", try TestSigner.tamper(try await signer.sign(forged), with: edited), .badSignature)
        reject("wrong-typ", try await signer.sign(forged, typ: "at+jwt"), .wrongType)
        reject("wrong-issuer", try await signer.sign(message(.client, "client-1", .admin, seq: previous + 10, prev: previous, iss: "https://evil.test")), .wrongIssuer)
        reject("not-a-jws", "eyJub3QiOiJhIGp3cyJ9", .malformedToken)

        let file = VectorFile(
            description: "Signed revocation broadcast, format v2 (docs/broadcast.md). Verify each message with jwks.json and issuer: accept means verified and applied; reject means dropped without moving the watermark, the deny-list or the freshness clock (reason names the check that fails, as LedgerGuard's error codes). fresh=false: verified, but its iat is older than now - staleness_bound_seconds, so it must not renew freshness.",
            issuer: issuer, now: now, stalenessBoundSeconds: 10, cases: cases
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(file).write(to: Self.directory.appendingPathComponent("messages.json"))
    }
}
