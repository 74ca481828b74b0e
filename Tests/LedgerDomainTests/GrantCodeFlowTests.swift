import LedgerDomain
import Testing

@Suite("Authorization code flow")
struct GrantCodeFlowTests {
    typealias F = Fixture

    // MARK: Start

    @Test func startingIssuesTheGrantAndItsCode() {
        given().when(F.startWithCode(), at: F.t0)
            .then(F.codeFlowStarted())
    }

    @Test func startedGrantHoldsTheCodeAndAwaitsIt() throws {
        let state = try #require(given().when(F.startWithCode(), at: F.t0).state)
        #expect(state.status == .awaitingCode)
        #expect(state.refresh == nil)
        #expect(state.refreshAbsoluteExpiresAt == F.t(30 * F.day))
        let code = try #require(state.code)
        #expect(code.hash == F.codeHash)
        #expect(code.expiresAt == F.t(60))
        #expect(code.redirectURI == F.redirectURI)
        #expect(code.codeChallenge == F.challenge)
        #expect(code.nonce == F.nonce)
        #expect(code.authTime == F.t(-30))
        #expect(code.redeemedAt == nil)
    }

    @Test func startingTwiceIsRefused() {
        given(F.codeFlowStarted()).when(F.startWithCode(), at: F.t(1))
            .thenRefused(.alreadyStarted)
    }

    @Test("Code lifetime is capped at 60 s", arguments: [(30, 30), (60, 60), (61, 60), (600, 60)] as [(Int64, Int64)])
    func codeLifetimeIsCapped(asked: Int64, effective: Int64) throws {
        let lifetimes = Lifetimes(authorizationCode: .seconds(asked))
        #expect(lifetimes.authorizationCode == .seconds(effective))
        let events = given().when(F.startWithCode(), at: F.t0, lifetimes: lifetimes).events
        guard case .codeIssued(let code) = try #require(events.last) else {
            Issue.record("expected grant.code.issued, got \(events)")
            return
        }
        #expect(code.expiresAt == F.t(effective))
    }

    @Test("Access-token lifetime is capped at one hour", arguments: [(600, 600), (3600, 3600), (3601, 3600), (86400, 3600)] as [(Int64, Int64)])
    func accessTokenLifetimeIsCapped(asked: Int64, effective: Int64) throws {
        let lifetimes = Lifetimes(accessToken: .seconds(asked))
        #expect(lifetimes.accessToken == .seconds(effective))
        var raised = Lifetimes()
        raised.accessToken = .seconds(asked)
        let events = given(F.codeFlowStarted()).when(F.redeem(refresh: false, idToken: false), at: F.t(10), lifetimes: raised).events
        guard case .accessTokenIssued(let access) = try #require(events.last) else {
            Issue.record("expected grant.access_token.issued, got \(events)")
            return
        }
        #expect(access.expiresAt == F.t(10 + effective))
    }

    @Test func codeLifetimeIsCappedEvenWhenRaisedAfterInit() {
        // `Lifetimes.authorizationCode` is a public var: the rule itself must hold the I7 bound.
        var lifetimes = Lifetimes()
        lifetimes.authorizationCode = .seconds(600)
        given().when(F.startWithCode(), at: F.t0, lifetimes: lifetimes)
            .then(F.codeFlowStarted())
    }

    // MARK: Redeem

    @Test func redeemingIssuesAccessRefreshAndIDTokens() {
        given(F.codeFlowStarted()).when(F.redeem(), at: F.t(10))
            .then(F.redeemed(at: F.t(10)) + [
                .idTokenIssued(IDTokenIssued(grantID: F.grant, jti: F.idToken, issuedAt: F.t(10), expiresAt: F.t(610)))
            ])
    }

    @Test func redeemedTokenExpiriesFollowTheClientLifetimes() {
        let lifetimes = Lifetimes(accessToken: .seconds(300), idToken: .seconds(120))
        given(F.codeFlowStarted()).when(F.redeem(), at: F.t(10), lifetimes: lifetimes)
            .then(F.redeemed(at: F.t(10), lifetimes: lifetimes) + [
                .idTokenIssued(IDTokenIssued(grantID: F.grant, jti: F.idToken, issuedAt: F.t(10), expiresAt: F.t(130)))
            ])
    }

    @Test func redeemingWithoutRefreshOrIDTokenIssuesOnlyTheAccessToken() {
        given(F.codeFlowStarted()).when(F.redeem(refresh: false, idToken: false), at: F.t(10))
            .then([
                .codeRedeemed(CodeRedeemed(grantID: F.grant, codeHash: F.codeHash, redeemedAt: F.t(10))),
                F.accessTokenIssued(F.accessToken(1), at: F.t(10)),
            ])
    }

    @Test func redeemedGrantIsActiveWithRefreshGenerationOne() throws {
        let state = try #require(given(F.codeFlowStarted()).when(F.redeem(), at: F.t(10)).state)
        #expect(state.status == .active)
        #expect(state.code?.redeemedAt == F.t(10))
        let family = try #require(state.refresh)
        #expect(family.generation == 1)
        #expect(family.currentHash == F.refreshHash(1))
        #expect(family.issuedAt == F.t(10))
        #expect(family.lastRotation == nil)
        #expect(state.tokensExpireBy == F.t(610))
    }

    @Test("a code grant without a PKCE challenge is refused at its start, and an old code without one is never redeemed")
    func pkceIsRequiredOfEveryCodeGrant() {
        given().when(F.startWithCode(challenge: nil), at: F.t0).thenRefused(.pkceRequired)
        given().when(F.startWithCode(challenge: ""), at: F.t0).thenRefused(.pkceRequired)
        given(F.codeFlowStarted(challenge: nil)).when(F.redeem(verifierChallenge: nil, idToken: false), at: F.t(10))
            .thenRefused(.pkceRequired)
    }

    @Test func codeIsUsableUntilOneMillisecondBeforeExpiry() {
        given(F.codeFlowStarted()).when(F.redeem(idToken: false), at: F.t(60, ms: -1))
            .then(F.redeemed(at: F.t(60, ms: -1)))
    }

    // MARK: Refusals

    @Test func unknownCodeHashIsRefused() {
        given(F.codeFlowStarted()).when(F.redeem(code: F.hash("some-other-code")), at: F.t(10))
            .thenRefused(.unknown)
    }

    @Test func codeOfAGrantThatDoesNotExistIsUnknown() {
        given().when(F.redeem(), at: F.t(10))
            .thenRefused(.unknown)
    }

    @Test func codeOfAnotherClientIsRefusedWithoutEvents() {
        given(F.codeFlowStarted()).when(F.redeem(by: F.otherClient), at: F.t(10))
            .thenRefused(.clientMismatch)
    }

    @Test("Code is expired from its expiry instant on", arguments: [Fixture.t(60), Fixture.t(60, ms: 1), Fixture.t(3600)])
    func expiredCodeIsRefused(at now: Instant) {
        given(F.codeFlowStarted()).when(F.redeem(), at: now)
            .thenRefused(.expired)
    }

    @Test(
        "redirect_uri must match exactly",
        arguments: [nil, "https://app.example.com/callback/", "https://APP.example.com/callback", "https://evil.example/cb"]
    )
    func redirectMismatchIsRefused(redirectURI: String?) {
        given(F.codeFlowStarted()).when(F.redeem(redirectURI: redirectURI), at: F.t(10))
            .thenRefused(.redirectMismatch)
    }

    @Test func missingVerifierWhenAChallengeWasSentIsRefused() {
        given(F.codeFlowStarted()).when(F.redeem(verifierChallenge: nil), at: F.t(10))
            .thenRefused(.pkceMismatch)
    }

    @Test func wrongVerifierIsRefused() {
        given(F.codeFlowStarted()).when(F.redeem(verifierChallenge: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), at: F.t(10))
            .thenRefused(.pkceMismatch)
    }

    @Test func verifierWithoutAChallengeIsRefused() {
        // RFC 9700 §2.1.1: a code_verifier without a code_challenge is a PKCE downgrade.
        given(F.codeFlowStarted(challenge: nil)).when(F.redeem(verifierChallenge: F.challenge), at: F.t(10))
            .thenRefused(.pkceRequired)
    }

    @Test func codeOfARevokedGrantIsRefused() {
        given(F.codeFlowStarted() + [F.revoked(.logout, at: F.t(5), until: F.t(5))])
            .when(F.redeem(), at: F.t(10))
            .thenRefused(.revoked)
    }

    // MARK: Replay

    @Test(arguments: [Fixture.client, Fixture.otherClient])
    func replayedCodeIsRefusedAndRevokesTheGrant(presentedBy clientID: ClientID) throws {
        let history = F.codeFlowStarted() + F.redeemed(at: F.t(10))
        let outcome = given(history).when(F.redeem(by: clientID), at: F.t(20))
            .thenRefused(.codeReplayed, events: [
                .codeReplayed(CodeReplayed(grantID: F.grant, codeHash: F.codeHash, presentedBy: clientID, at: F.t(20))),
                F.revoked(.codeReplay, at: F.t(20), until: F.t(610)),
            ])
        let state = try #require(outcome.state)
        #expect(state.status == .revoked)
        #expect(state.revocationReason == .codeReplay)
    }

    @Test func replayAfterTheCodeExpiredStillRevokes() {
        let history = F.codeFlowStarted() + F.redeemed(at: F.t(10))
        given(history).when(F.redeem(), at: F.t(3600))
            .thenRefused(.codeReplayed, events: [
                .codeReplayed(CodeReplayed(grantID: F.grant, codeHash: F.codeHash, presentedBy: F.client, at: F.t(3600))),
                F.revoked(.codeReplay, at: F.t(3600), until: F.t(3600)),
            ])
    }

    @Test func replayOnARevokedGrantRecordsOnlyTheReplay() {
        let history = F.codeFlowStarted() + F.redeemed(at: F.t(10)) + [F.revoked(.admin, at: F.t(15), until: F.t(610))]
        given(history).when(F.redeem(), at: F.t(20))
            .thenRefused(.codeReplayed, events: [
                .codeReplayed(CodeReplayed(grantID: F.grant, codeHash: F.codeHash, presentedBy: F.client, at: F.t(20)))
            ])
    }

    @Test func secondReplayRecordsOnlyTheReplay() {
        let first = given(F.codeFlowStarted() + F.redeemed(at: F.t(10))).when(F.redeem(), at: F.t(20))
        first.andThen.when(F.redeem(), at: F.t(21))
            .thenRefused(.codeReplayed, events: [
                .codeReplayed(CodeReplayed(grantID: F.grant, codeHash: F.codeHash, presentedBy: F.client, at: F.t(21)))
            ])
    }
}
