import Foundation
import LedgerDomain
import LedgerService
import LedgerGuard
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Testing

/// The kit against the real service: tokens from `/token`, revocations through the admin API,
/// carried by the relay over Redis (and the feed) into the kit's deny-list.
@Suite("LedgerGuard end to end")
struct LedgerGuardEndToEndTests {
    @Test("revocations by jti, grant, client and subject refuse exactly the tokens they cover")
    func scopes() async throws {
        try await LiveKitFixture.with { f in
            let (a, b, c) = (try await f.register(), try await f.register(), try await f.register())
            let a1 = try await f.token(a), a2 = try await f.token(a), a3 = try await f.token(a)
            let b1 = try await f.token(b), c1 = try await f.token(c)
            #expect(await eventually { await f.refusal(a1) == nil })
            for token in [a2, a3, b1, c1] { #expect(await f.refusal(token) == nil) }

            let jti = try await f.kit.validator.validate(a1).jti
            try await f.revoke(#"{"jti":"\#(jti)"}"#)
            #expect(await eventually { await f.refusal(a1) == .revoked })

            let grant = try await f.kit.validator.validate(a2).grantID
            try await f.revoke(#"{"grant":"\#(grant)"}"#)
            #expect(await eventually { await f.refusal(a2) == .revoked })

            try await f.revoke(#"{"client_id":"\#(c.id)"}"#)
            #expect(await eventually { await f.refusal(c1) == .revoked })

            // A client_credentials token's subject is its client.
            try await f.revoke(#"{"subject":"\#(b.id)"}"#)
            #expect(await eventually { await f.refusal(b1) == .revoked })

            #expect(await f.refusal(a3) == nil)
            // Tokens issued after the subject's not_before (whole seconds, rounded up) pass again.
            #expect(try await eventually { await f.refusal(try await f.token(b)) == nil })
        }
    }

    @Test("a session revocation refuses the tokens carrying that sid, and no others")
    func session() async throws {
        try await LiveKitFixture.with { f in
            let services = f.stack.services
            let (inSession, elsewhere) = (SessionID(UUID().uuidString), SessionID(UUID().uuidString))
            for sid in [inSession, elsewhere] {
                _ = try await services.sessions.execute(
                    .start(sid, subject: Subject("alice")), on: sid, context: DecisionContext(now: Instant.current()),
                    metadata: EventMetadata(actor: "test")
                )
            }
            func token(_ sid: SessionID) async throws -> String {
                let now = Instant.current()
                let claims = AccessTokenClaims(
                    issuer: LiveStack.issuer, audience: [LiveStack.issuer], grant: GrantID(UUID().uuidString), subject: Subject("alice"),
                    client: ClientID("web"), session: sid, scope: Scope(["openid"]), jti: TokenID(UUID().uuidString), issuedAt: now,
                    expiresAt: now.adding(.seconds(600))
                )
                return try await services.keys.sign(claims, type: "at+jwt")
            }
            let (revoked, spared) = (try await token(inSession), try await token(elsewhere))
            #expect(await eventually { await f.refusal(revoked) == nil })
            try await f.revoke(#"{"session":"\#(inSession.rawValue)"}"#)
            #expect(await eventually { await f.refusal(revoked) == .revoked })
            #expect(await f.refusal(spared) == nil)
        }
    }
}
