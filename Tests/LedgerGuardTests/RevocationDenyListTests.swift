import Foundation
import LedgerDomain
import LedgerGuard
import Testing

/// The deny-list alone: each scope revokes exactly the tokens it covers, duplicates and
/// incomplete events change nothing, and entries go once every covered token has expired.
@Suite("Revocation deny-list")
struct RevocationDenyListTests {
    /// A token whose identifiers can each be changed.
    static func token(
        jti: String = "jti-a", sub: String = "alice", client: String = "client-a", grant: String = "grant-a", sid: String? = "sid-a",
        iat: Int64 = 1_000
    ) -> AccessToken {
        AccessToken(
            issuer: "https://issuer.test", subject: sub, audiences: ["https://issuer.test"], expiresAt: iat + 600, issuedAt: iat,
            jti: jti, clientID: client, grantID: grant, sid: sid, scopes: ["openid"]
        )
    }

    /// The revoked event of `scope` and `id`; times are unix seconds.
    static func revoked(_ scope: Revocation.Scope, _ id: String, notBefore: Int64? = nil, until: Int64 = 2_000) -> RevokedEvent {
        SubscriberFixture.revoked(scope, id, notBefore: notBefore, until: until)
    }

    /// Tokens that differ from the default in exactly one identifier, plus the default.
    static let population: [String: AccessToken] = [
        "default": token(),
        "other-jti": token(jti: "jti-b"),
        "other-sub": token(sub: "bob"),
        "other-client": token(client: "client-b"),
        "other-grant": token(grant: "grant-b"),
        "other-sid": token(sid: "sid-b"),
        "no-sid": token(sid: nil),
        "later": token(jti: "jti-late", iat: 1_500),
    ]

    static func revokedNames(_ list: RevocationDenyList) -> Set<String> {
        Set(population.filter { list.isRevoked($0.value) }.keys)
    }

    @Test("token scope revokes only that jti")
    func tokenScope() {
        var list = RevocationDenyList()
        #expect(list.apply(Self.revoked(.token, "jti-a"), seq: 5) == .applied)
        #expect(Self.revokedNames(list) == ["default", "other-sub", "other-client", "other-grant", "other-sid", "no-sid"])
        #expect(list.count == 1)
        #expect(list.lastAppliedSeq == 5)
    }

    @Test("grant scope revokes only that grant's tokens")
    func grantScope() {
        var list = RevocationDenyList()
        #expect(list.apply(Self.revoked(.grant, "grant-a"), seq: 5) == .applied)
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-sub", "other-client", "other-sid", "no-sid", "later"])
    }

    @Test("session scope revokes only tokens carrying that sid")
    func sessionScope() {
        var list = RevocationDenyList()
        #expect(list.apply(Self.revoked(.session, "sid-a"), seq: 5) == .applied)
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-sub", "other-client", "other-grant", "later"])
    }

    @Test("subject scope revokes that subject's tokens issued before not_before, and no later ones")
    func subjectScope() {
        var list = RevocationDenyList()
        #expect(list.apply(Self.revoked(.subject, "alice", notBefore: 1_200), seq: 5) == .applied)
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-client", "other-grant", "other-sid", "no-sid"])
        // iat == not_before is not "before": spared.
        #expect(!list.isRevoked(Self.token(iat: 1_200)))
        #expect(list.isRevoked(Self.token(iat: 1_199)))
    }

    @Test("client scope revokes that client's tokens issued before not_before, and no later ones")
    func clientScope() {
        var list = RevocationDenyList()
        #expect(list.apply(Self.revoked(.client, "client-a", notBefore: 1_200), seq: 5) == .applied)
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-sub", "other-grant", "other-sid", "no-sid"])
        #expect(!list.isRevoked(Self.token(iat: 1_200)))
        #expect(list.isRevoked(Self.token(iat: 1_199)))
    }

    @Test("not_before is rounded up to the second: a token issued in the revocation's second is revoked")
    func notBeforeRoundsUp() {
        let revocation = Revocation(
            scope: .subject, identifier: "alice", notBefore: Instant(milliseconds: 1_199_001), until: Instant(seconds: 2_000), reason: .admin
        )
        let event = RevokedEvent(revocation)
        #expect(event.notBefore == 1_200)
        var list = RevocationDenyList()
        #expect(list.apply(event, seq: 5) == .applied)
        #expect(list.isRevoked(Self.token(iat: 1_199)))
        #expect(!list.isRevoked(Self.token(iat: 1_200)))
    }

    @Test("a later subject cutoff widens, an earlier one never narrows")
    func cutoffsMerge() {
        var list = RevocationDenyList()
        list.apply(Self.revoked(.subject, "alice", notBefore: 1_600), seq: 5)
        list.apply(Self.revoked(.subject, "alice", notBefore: 1_100), seq: 6)
        #expect(list.isRevoked(Self.token(iat: 1_500)))
        #expect(!list.isRevoked(Self.token(iat: 1_600)))
        list.apply(Self.revoked(.subject, "alice", notBefore: 1_700), seq: 7)
        #expect(list.isRevoked(Self.token(iat: 1_600)))
        #expect(list.count == 1)
    }

    @Test("duplicates (seq at or below the last applied) and events lacking their identifier are ignored")
    func idempotent() {
        var list = RevocationDenyList()
        let event = Self.revoked(.token, "jti-a")
        #expect(list.apply(event, seq: 7) == .applied)
        let snapshot = list
        #expect(list.apply(event, seq: 7) == .duplicate)
        #expect(list.apply(Self.revoked(.token, "jti-b"), seq: 6) == .duplicate)
        #expect(list == snapshot)
        // A subject or client event without not_before, and any event without its scope's identifier.
        var noCutoff = Self.revoked(.subject, "bob", notBefore: 1_200)
        noCutoff.notBefore = nil
        #expect(list.apply(noCutoff, seq: 8) == .invalid)
        var noClientCutoff = Self.revoked(.client, "client-b", notBefore: 1_200)
        noClientCutoff.notBefore = nil
        #expect(list.apply(noClientCutoff, seq: 8) == .invalid)
        var wrongIdentifier = Self.revoked(.grant, "grant-b")
        (wrongIdentifier.grantID, wrongIdentifier.jti) = (nil, "grant-b")
        #expect(list.apply(wrongIdentifier, seq: 9) == .invalid)
        #expect(list == snapshot)
        #expect(list.lastAppliedSeq == 7)
        #expect(!list.isRevoked(Self.token(jti: "jti-z", sub: "bob", client: "client-b", grant: "grant-b")))
    }

    @Test("a catch-up's head advances the watermark, never lowers it")
    func advance() {
        var list = RevocationDenyList()
        list.advance(to: 10)
        #expect(list.lastAppliedSeq == 10)
        #expect(list.apply(Self.revoked(.token, "jti-a"), seq: 9) == .duplicate)
        #expect(list.apply(Self.revoked(.token, "jti-a"), seq: 12) == .applied)
        list.advance(to: 11)
        #expect(list.lastAppliedSeq == 12)
    }

    @Test("entries are pruned once until plus grace has passed, not before")
    func prune() {
        var list = RevocationDenyList()
        list.apply(Self.revoked(.token, "jti-a", until: 2_000), seq: 1)
        list.apply(Self.revoked(.subject, "bob", notBefore: 1_900, until: 3_000), seq: 2)
        list.prune(now: 2_015, grace: 15)
        #expect(list.count == 2)
        list.prune(now: 2_016, grace: 15)
        #expect(list.count == 1)
        #expect(!list.isRevoked(Self.token()))
        #expect(list.isRevoked(Self.token(sub: "bob")))
        #expect(list.lastAppliedSeq == 2)
    }
}
