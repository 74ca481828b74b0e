import LedgerDomain
import Testing

/// ID tokens in the grant's life (OIDC Core §3.1.3.3, §12.2): recorded at the code exchange and
/// on refresh, and counted in `tokens_expire_by` so a revocation's `until` covers them.
@Suite("Grant: ID tokens at the code exchange and on refresh")
struct GrantIDTokenTests {
    typealias F = Fixture

    @Test("a refresh proposing an ID token records it after the rotation, with the client's ID token lifetime")
    func refreshIssuesIDToken() throws {
        let at = F.issuedAt(generation: 1).adding(.seconds(30))
        let lifetimes = Lifetimes(accessToken: .seconds(300), idToken: .seconds(1200))
        let command = GrantCommand.refresh(.init(
            presentedHash: F.refreshHash(1), presentedGeneration: 1, clientID: F.client, requestedScope: nil,
            successorHash: F.refreshHash(2), accessToken: F.accessToken(2), keepsGraceAnswer: false, idToken: TokenID("id-2")
        ))
        let outcome = given(F.codeFlowGrant()).when(command, at: at, lifetimes: lifetimes)
            .then(
                F.rotated(from: 1, at: at, lifetimes: lifetimes)
                    + [.idTokenIssued(IDTokenIssued(grantID: F.grant, jti: TokenID("id-2"), issuedAt: at, expiresAt: at.adding(.seconds(1200))))]
            )
        #expect(try #require(outcome.state).tokensExpireBy == at.adding(.seconds(1200)))
    }

    @Test("a grant without openid records no ID token, even when one is proposed")
    func noOpenIDNoIDToken() {
        var history = F.codeFlowGrant()
        if case .started(var started) = history[0] {
            started.scope = Scope(["offline_access"])
            history[0] = .started(started)
        }
        let at = F.issuedAt(generation: 1).adding(.seconds(30))
        let command = GrantCommand.refresh(.init(
            presentedHash: F.refreshHash(1), presentedGeneration: 1, clientID: F.client, requestedScope: nil,
            successorHash: F.refreshHash(2), accessToken: F.accessToken(2), keepsGraceAnswer: false, idToken: TokenID("id-2")
        ))
        let events = given(history).when(command, at: at).events
        #expect(events.count == 2)
        #expect(!events.contains { if case .idTokenIssued = $0 { true } else { false } })
    }

    @Test("the code exchange records the ID token and its expiry counts toward tokens_expire_by")
    func codeExchange() throws {
        let lifetimes = Lifetimes(accessToken: .seconds(60), idToken: .seconds(900))
        let outcome = given(F.codeFlowStarted(lifetimes: lifetimes)).when(F.redeem(), at: F.redeemedAt, lifetimes: lifetimes)
        #expect(outcome.events.last == .idTokenIssued(IDTokenIssued(
            grantID: F.grant, jti: F.idToken, issuedAt: F.redeemedAt, expiresAt: F.redeemedAt.adding(.seconds(900))
        )))
        #expect(try #require(outcome.state).tokensExpireBy == F.redeemedAt.adding(.seconds(900)))
    }
}
