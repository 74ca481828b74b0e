import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerService
import Testing

/// Bounded live state: the sweeper removes what can no longer matter, requests about it answer
/// as for an expired token, the history keeps it, and a rebuild at the same time gives exactly
/// the live rows (I4 with a clock).
@Suite("Projection sweeper: live rows bounded by live state")
struct ProjectionSweepTests {
    typealias T = TokenFixtures

    static let lifetimes = Lifetimes(
        accessToken: .seconds(60), idToken: .seconds(60), refreshTokenIdle: .seconds(120), refreshTokenAbsolute: .seconds(120)
    )

    /// Every projection row, with the refresh-token and code index rows.
    static func rows(_ h: HTTPHarness) async throws -> [String] {
        var rows = try await AdminFixtures.projectionRows(h)
        let index = try await h.ledger.admin.query(
            """
            SELECT 'refresh ' || token_hash || ' ' || grant_id || ' ' || generation FROM refresh_tokens
            UNION ALL SELECT 'code ' || code_hash || ' ' || grant_id || ' ' || expires_ms FROM authorization_codes
            """,
            logger: h.services.logger
        )
        for try await row in index.decode(String.self) { rows.append(row) }
        return rows.sorted()
    }

    /// Sweeps at the clock's time, then checks a rebuild at that time writes the very same rows.
    static func sweep(_ h: HTTPHarness, at now: Instant) async throws -> ProjectionSweeper.Swept {
        let swept = try await ProjectionSweeper(client: h.ledger.admin, configuration: .init(batch: 2), logger: h.services.logger).sweep(at: now)
        let live = try await rows(h)
        _ = try await ProjectionRebuilder(client: h.ledger.admin, logger: h.services.logger).rebuild(at: now)
        #expect(try await rows(h) == live, "a rebuild at the sweep's time equals the swept live rows")
        return swept
    }

    @Test("client_credentials tokens have no grant row; expired code grants leave with their index and deny rows; swept tokens answer as expired; history keeps them")
    func sweep() async throws {
        let clock = AuthorizeFixtures.Clock(Instant(seconds: Instant.current().seconds))
        try await HTTPHarness.with(now: clock.now) { h in
            let client = try await T.register(h, id: "svc", lifetimes: Self.lifetimes)
            let credentials = try await T.post(h, "/token", ["grant_type": "client_credentials", "scope": "api:read"], as: client)
            let machineToken = try #require(credentials.json["access_token"] as? String)
            let issued = try await T.issueCode(h, for: client)
            let redeemed = try await T.redeem(h, issued, by: client)
            let refreshToken = try #require(redeemed.json["refresh_token"] as? String)
            let userToken = try #require(redeemed.json["access_token"] as? String)
            #expect(try await T.post(h, "/revoke", ["token": userToken], as: client).status == .ok)
            let before = try await Self.rows(h)
            #expect(before.count { $0.hasPrefix("grants ") } == 1, "the code grant's; the client credentials token has none")
            #expect(before.count { $0.hasPrefix("denylist token ") } == 1)

            clock.advance(.seconds(30))
            #expect(try await Self.sweep(h, at: clock.now()).total == 0, "nothing has expired yet")

            // The access tokens (60 s) and the code (60 s) are past; the refresh family is not (120 s).
            clock.advance(.seconds(46))
            let first = try await Self.sweep(h, at: clock.now())
            #expect(first.grants == 0 && first.codes == 1 && first.denyEntries == 1 && first.refreshTokens == 0)
            #expect(try await T.introspect(h, machineToken, as: client)["active"] as? Bool == false)
            #expect(try await T.post(h, "/revoke", ["token": machineToken], as: client).status == .ok)
            let rotated = try await T.refresh(h, refreshToken, as: client)
            #expect(rotated.status == .ok, "the code grant is still live")
            #expect(try await Self.sweep(h, at: clock.now()).grants == 0)
            let successor = try #require(rotated.json["refresh_token"] as? String)

            // Past the refresh family's absolute limit (the fixture's code grant starts with the
            // standard 30 days): the grant and all its refresh tokens go.
            clock.advance(.seconds(30 * 24 * 3600))
            let second = try await Self.sweep(h, at: clock.now())
            let left = try await Self.rows(h)
            #expect(second.grants == 1 && second.refreshTokens == 2, "\(second) \(left)")
            #expect(try await Self.rows(h).filter { $0.hasPrefix("grants ") || $0.hasPrefix("refresh ") || $0.hasPrefix("code ") }.isEmpty)
            let refused = try await T.refresh(h, successor, as: client)
            #expect(refused.status == .badRequest)
            #expect(refused.json["error"] as? String == "invalid_grant")
            #expect(try await T.introspect(h, successor, as: client)["active"] as? Bool == false)

            // The log keeps everything: the subject's history still shows the swept grant.
            let history = try await AdminFixtures.call(h, .get, "/admin/subjects/alice/history")
            let types = (history.json["events"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types.contains("grant.started") && types.contains("grant.refresh_token.rotated"))
            try await DelegationFixtures.expectIntactChain(h)
        }
    }
}
