import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import PostgresNIO
import Testing

@Suite("Deny-list: one query, every scope")
struct TokenDenyListTests {
    /// Inserts a deny-list row directly, as the projection would.
    static func deny(_ h: HTTPHarness, _ scope: String, _ key: String, notBefore: Instant?, until: Instant) async throws {
        try await h.ledger.admin.query(
            """
            INSERT INTO denylist (scope, key, not_before_ms, until_ms, reason)
            VALUES (\(scope), \(key), \(notBefore?.milliseconds), \(until.milliseconds), 'admin')
            ON CONFLICT (scope, key) DO UPDATE SET not_before_ms = EXCLUDED.not_before_ms, until_ms = EXCLUDED.until_ms
            """,
            logger: h.services.logger
        )
    }

    @Test("each scope matches its key; subject and client only cover tokens issued before not_before; expired entries are ignored")
    func scopes() async throws {
        try await HTTPHarness.with { h in
            let list = DenyList(client: h.services.database, logger: h.services.logger)
            let now = h.services.now()
            let later = now.adding(.seconds(600))
            let token = DenyList.Token(
                jti: TokenID("j1"), grantID: GrantID("g1"), sessionID: SessionID("s1"), subject: Subject("alice"),
                clientID: ClientID("c1"), issuedAt: now.adding(.seconds(-10))
            )
            #expect(try await list.isRevoked(token, at: now) == false)
            try await Self.deny(h, "subject", "alice", notBefore: now.adding(.seconds(-20)), until: later)
            try await Self.deny(h, "client", "c1", notBefore: now.adding(.seconds(-20)), until: later)
            try await Self.deny(h, "token", "j1", notBefore: nil, until: now.adding(.seconds(-1)))
            #expect(try await list.isRevoked(token, at: now) == false)
            for (scope, key) in [("token", "j1"), ("grant", "g1"), ("session", "s1")] {
                var other = token
                switch scope {
                case "token": other.jti = TokenID("j2")
                case "grant": other.grantID = GrantID("g2")
                default: other.sessionID = SessionID("s2")
                }
                try await Self.deny(h, scope, key, notBefore: nil, until: later)
                #expect(try await list.isRevoked(token, at: now), "\(scope)")
                #expect(try await list.isRevoked(other, at: now) == false, "\(scope)")
                try await h.ledger.admin.query("DELETE FROM denylist WHERE scope = \(scope)", logger: h.services.logger)
            }
            try await Self.deny(h, "subject", "alice", notBefore: now, until: later)
            #expect(try await list.isRevoked(token, at: now))
            var fresh = token
            fresh.issuedAt = now.adding(.seconds(1))
            #expect(try await list.isRevoked(fresh, at: now) == false)
        }
    }

    @Test("a subject revoked after the grant started refuses its refresh token and deactivates its tokens")
    func subjectRevocationStopsRefresh() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, access, refresh) = try await TokenRefreshTests.start(h)
            // After the grant started and after its first tokens were issued.
            let at = h.services.now().adding(.milliseconds(1))
            #expect(try await TokenFixtures.grant(h, grant).startedAt < at)
            try await Self.deny(h, "subject", "alice", notBefore: at, until: at.adding(.seconds(3600)))
            let response = try await TokenFixtures.refresh(h, refresh, as: client)
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_grant")
            #expect(try await TokenFixtures.introspect(h, refresh, as: client) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.introspect(h, access, as: client) as NSDictionary == ["active": false])
        }
    }
}
