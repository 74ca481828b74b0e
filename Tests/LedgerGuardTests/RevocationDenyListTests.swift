import Foundation
import LedgerDomain
import LedgerGuard
import Testing

/// The deny-list alone: each scope revokes exactly the tokens it covers, duplicates and
/// incomplete messages change nothing, and entries go once every covered token has expired.
@Suite("Revocation deny-list")
struct RevocationDenyListTests {
    /// Two tokens that share nothing but may be given shared identifiers.
    static func token(
        jti: String = "jti-a", sub: String = "alice", client: String = "client-a", grant: String = "grant-a", sid: String? = "sid-a",
        iat: Int64 = 1_000
    ) -> AccessToken {
        AccessToken(
            issuer: "https://issuer.test", subject: sub, audiences: ["https://issuer.test"], expiresAt: iat + 600, issuedAt: iat,
            jti: jti, clientID: client, grantID: grant, sid: sid, scopes: ["openid"]
        )
    }

    static func revoked(
        _ seq: Int64, _ scope: RevocationMessage.Scope, _ id: String, notBefore: Int64? = nil, until: Int64 = 2_000
    ) throws -> RevocationMessage {
        var fields: [String: Any] = ["v": 1, "type": "revoked", "seq": seq, "scope": scope.rawValue, "until": until, "reason": "admin", "at": 1]
        switch scope {
        case .token: fields["jti"] = id
        case .grant: fields["grant_id"] = id
        case .session: fields["sid"] = id
        case .subject: fields["sub"] = id
        case .client: fields["client_id"] = id
        }
        if let notBefore { fields["not_before"] = notBefore }
        return try JSONDecoder().decode(RevocationMessage.self, from: JSONSerialization.data(withJSONObject: fields))
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
    func tokenScope() throws {
        var list = RevocationDenyList()
        #expect(list.apply(try Self.revoked(5, .token, "jti-a")) == .applied)
        #expect(Self.revokedNames(list) == ["default", "other-sub", "other-client", "other-grant", "other-sid", "no-sid"])
    }

    @Test("grant scope revokes only that grant's tokens")
    func grantScope() throws {
        var list = RevocationDenyList()
        list.apply(try Self.revoked(5, .grant, "grant-a"))
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-sub", "other-client", "other-sid", "no-sid", "later"])
    }

    @Test("session scope revokes only tokens carrying that sid")
    func sessionScope() throws {
        var list = RevocationDenyList()
        list.apply(try Self.revoked(5, .session, "sid-a"))
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-sub", "other-client", "other-grant", "later"])
    }

    @Test("subject scope revokes that subject's tokens issued before not_before, and no later ones")
    func subjectScope() throws {
        var list = RevocationDenyList()
        list.apply(try Self.revoked(5, .subject, "alice", notBefore: 1_200))
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-client", "other-grant", "other-sid", "no-sid"])
        // iat == not_before is not "before": spared.
        #expect(!list.isRevoked(Self.token(iat: 1_200)))
        #expect(list.isRevoked(Self.token(iat: 1_199)))
    }

    @Test("client scope revokes that client's tokens issued before not_before, and no later ones")
    func clientScope() throws {
        var list = RevocationDenyList()
        list.apply(try Self.revoked(5, .client, "client-a", notBefore: 1_200))
        #expect(Self.revokedNames(list) == ["default", "other-jti", "other-sub", "other-grant", "other-sid", "no-sid"])
    }

    @Test("a later subject cutoff widens, an earlier one never narrows")
    func cutoffsMerge() throws {
        var list = RevocationDenyList()
        list.apply(try Self.revoked(5, .subject, "alice", notBefore: 1_600))
        list.apply(try Self.revoked(6, .subject, "alice", notBefore: 1_100))
        #expect(list.isRevoked(Self.token(iat: 1_500)))
    }

    @Test("duplicates (seq at or below the last applied) and incomplete messages are ignored")
    func idempotent() throws {
        var list = RevocationDenyList()
        let message = try Self.revoked(7, .token, "jti-a")
        #expect(list.apply(message) == .applied)
        let snapshot = list
        #expect(list.apply(message) == .duplicate)
        #expect(list.apply(try Self.revoked(6, .token, "jti-b")) == .duplicate)
        #expect(list == snapshot)
        #expect(list.apply(try Self.revoked(8, .subject, "bob")) == .invalid)  // subject without not_before
        #expect(list.apply(RevocationMessage.heartbeat(seq: 9, at: Instant(milliseconds: 1))) == .invalid)
        #expect(list == snapshot)
        #expect(list.lastAppliedSeq == 7)
    }

    @Test("entries are pruned once until plus grace has passed, not before")
    func prune() throws {
        var list = RevocationDenyList()
        list.apply(try Self.revoked(1, .token, "jti-a", until: 2_000))
        list.apply(try Self.revoked(2, .subject, "bob", notBefore: 1_900, until: 3_000))
        list.prune(now: 2_015, grace: 15)
        #expect(list.count == 2)
        list.prune(now: 2_016, grace: 15)
        #expect(list.count == 1)
        #expect(!list.isRevoked(Self.token()))
        #expect(list.isRevoked(Self.token(sub: "bob")))
    }
}
