import Foundation
import LedgerDomain
import Testing

@Suite("Refresh tokens bound to the holder's fingerprint: recorded, and the client's policy applied")
struct GrantFingerprintTests {
    typealias F = Fixture

    /// A code-flow grant whose refresh family was issued to fingerprint `fp-a`.
    static let bound = bound(to: "fp-a")

    /// A code-flow grant whose refresh family was issued to `fingerprint`.
    static func bound(to fingerprint: String) -> [GrantEvent] {
        F.codeFlowStarted() + F.redeemed().map { event in
            guard case .refreshTokenIssued(var issued) = event else { return event }
            issued.fingerprint = fingerprint
            return .refreshTokenIssued(issued)
        }
    }

    static func refresh(from fingerprint: String?) -> GrantCommand {
        guard case .refresh(var command) = F.refresh(1) else { fatalError("F.refresh(1) is a refresh") }
        command.presentedFingerprint = fingerprint
        return .refresh(command)
    }

    static func change(_ policy: FingerprintPolicy, at: Instant) -> GrantEvent {
        .fingerprintChanged(FingerprintChanged(grantID: F.grant, generation: 1, previous: "fp-a", presented: "fp-b", policy: policy, at: at))
    }

    @Test("the same fingerprint, or none known, rotates without an event")
    func unchanged() {
        let at = F.redeemedAt.adding(.seconds(30))
        given(Self.bound).when(Self.refresh(from: "fp-a"), at: at).then(F.rotated(from: 1, at: at))
        given(Self.bound).when(Self.refresh(from: nil), at: at).then(F.rotated(from: 1, at: at))
        given(F.codeFlowGrant()).when(Self.refresh(from: "fp-b"), at: at).then(F.rotated(from: 1, at: at))
    }

    @Test("record: the change is recorded, the token rotates, and the family moves to the new holder")
    func record() {
        let at = F.redeemedAt.adding(.seconds(30))
        let outcome = given(Self.bound).when(Self.refresh(from: "fp-b"), at: at, fingerprintPolicy: .record)
            .then([Self.change(.record, at: at)] + F.rotated(from: 1, at: at))
        #expect(outcome.state?.refresh?.fingerprint == "fp-b")
    }

    @Test("revoke: the change and the grant's revocation are recorded, and the refresh refused")
    func revoke() {
        let at = F.redeemedAt.adding(.seconds(30))
        let outcome = given(Self.bound).when(Self.refresh(from: "fp-b"), at: at, fingerprintPolicy: .revoke)
        #expect(outcome.decision.refusal?.code == .fingerprintChanged)
        #expect(outcome.decision.events.first == Self.change(.revoke, at: at))
        #expect(outcome.state?.status == .revoked)
        #expect(outcome.state?.revocationReason == .fingerprintChanged)
    }

    @Test("reauthenticate: the change is recorded and the refresh refused; the holder's token keeps working")
    func reauthenticate() {
        let at = F.redeemedAt.adding(.seconds(30))
        let refused = given(Self.bound).when(Self.refresh(from: "fp-b"), at: at, fingerprintPolicy: .reauthenticate)
        #expect(refused.decision.refusal?.code == .fingerprintChanged)
        #expect(refused.decision.events == [Self.change(.reauthenticate, at: at)])
        #expect(refused.state?.status == .active)
        #expect(refused.state?.refresh?.fingerprint == "fp-a")
        refused.andThen.when(Self.refresh(from: "fp-a"), at: at.adding(.seconds(1)), fingerprintPolicy: .reauthenticate)
            .then(F.rotated(from: 1, at: at.adding(.seconds(1))))
    }
}

extension GrantFingerprintTests {
    /// A caller's digests as older logs hold them (hex) and as they are written now (base64url).
    static let hexDigest = String(repeating: "0f", count: 32)
    static let base64URLDigest = "Dw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8PDw8"

    @Test("a family recorded with hex digests is the same caller presenting base64url ones: no change, whatever the policy")
    func hexAndBase64URLAreOneCaller() {
        #expect(CallerFingerprint.same(Self.hexDigest + "/-", Self.base64URLDigest + "/-"))
        #expect(CallerFingerprint.same("-/" + Self.hexDigest, "-/" + Self.base64URLDigest))
        #expect(!CallerFingerprint.same(Self.hexDigest + "/-", "-/" + Self.base64URLDigest))
        #expect(!CallerFingerprint.same(String(repeating: "1f", count: 32) + "/-", Self.base64URLDigest + "/-"))

        let at = F.redeemedAt.adding(.seconds(30))
        given(Self.bound(to: Self.hexDigest + "/" + Self.hexDigest)).when(Self.refresh(from: Self.base64URLDigest + "/" + Self.base64URLDigest), at: at, fingerprintPolicy: .revoke)
            .then(F.rotated(from: 1, at: at))
    }

    @Test("metadata leaves out a client_id its actor names, and reads it back from the actor")
    func metadataWithoutClientTwice() throws {
        let acting = EventMetadata(actor: "client:svc-a", clientID: "svc-a", requestID: "r1")
        let stored = String(decoding: try JSONEncoder().encode(acting), as: UTF8.self)
        #expect(!stored.contains("client_id"))
        #expect(try JSONDecoder().decode(EventMetadata.self, from: Data(stored.utf8)) == acting)

        let forAnother = EventMetadata(actor: "user:alice", clientID: "web")
        #expect(String(decoding: try JSONEncoder().encode(forAnother), as: UTF8.self).contains(#""client_id":"web""#))
        #expect(try JSONDecoder().decode(EventMetadata.self, from: JSONEncoder().encode(forAnother)) == forAnother)

        let older = #"{"actor":"client:svc-a","client_id":"svc-a"}"#
        #expect(try JSONDecoder().decode(EventMetadata.self, from: Data(older.utf8)).clientID == "svc-a")
    }
}
