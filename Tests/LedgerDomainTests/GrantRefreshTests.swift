import LedgerDomain
import Testing

@Suite("Refresh token rotation")
struct GrantRefreshTests {
    typealias F = Fixture

    /// Which fixture generations up to `highest` would rotate if presented now by their client.
    static func liveGenerations(_ scenario: Given, upTo highest: Int, at now: Instant, lifetimes: Lifetimes = .standard) -> [Int] {
        (1...highest).filter { g in
            scenario.when(F.refresh(g), at: now, lifetimes: lifetimes).events.contains {
                if case .refreshTokenRotated = $0 { true } else { false }
            }
        }
    }

    // MARK: Rotation

    @Test(arguments: [1, 2, 5])
    func rotationReplacesTheCurrentTokenWithItsSuccessor(generation g: Int) throws {
        let at = F.issuedAt(generation: g).adding(.seconds(30))
        let outcome = given(F.codeFlowGrant(generation: g)).when(F.refresh(g), at: at)
            .then([
                .refreshTokenRotated(RefreshTokenRotated(
                    grantID: F.grant, fromGeneration: g, toGeneration: g + 1, tokenHash: F.refreshHash(g + 1),
                    rotatedAt: at, graceAnswerKept: nil
                )),
                .accessTokenIssued(AccessTokenIssued(
                    grantID: F.grant, jti: F.accessToken(g + 1), scope: F.scope, issuedAt: at,
                    expiresAt: at.adding(.seconds(600))
                )),
            ])
        let family = try #require(outcome.state?.refresh)
        #expect(family.generation == g + 1)
        #expect(family.currentHash == F.refreshHash(g + 1))
        #expect(family.issuedAt == at)
        #expect(family.lastRotation?.fromGeneration == g)
        #expect(Self.liveGenerations(outcome.andThen, upTo: g + 1, at: at) == [g + 1])
    }

    @Test func refreshingAGrantThatAwaitsItsCodeIsUnknown() {
        given(F.codeFlowStarted()).when(F.refresh(1), at: F.t(10)).thenRefused(.unknown)
    }

    @Test func refreshingAGrantThatDoesNotExistIsUnknown() {
        given().when(F.refresh(1), at: F.t(10)).thenRefused(.unknown)
    }

    // MARK: Expiry

    @Test func rotationNeverExtendsTheAbsoluteLimit() throws {
        let lifetimes = Lifetimes(refreshTokenIdle: .seconds(20 * 60), refreshTokenAbsolute: .seconds(3600))
        var scenario = given(F.codeFlowGrant(lifetimes: lifetimes))
        var generation = 1
        for at in [F.t(900), F.t(1800), F.t(2700), F.t(3600, ms: -1)] {
            scenario = scenario.when(F.refresh(generation), at: at, lifetimes: lifetimes)
                .then(F.rotated(from: generation, at: at, lifetimes: lifetimes))
                .andThen
            generation += 1
            #expect(scenario.state?.refreshAbsoluteExpiresAt == F.t(3600))
        }
        // The current token is 1 ms old, far from idle expiry, yet the family has reached its limit.
        scenario.when(F.refresh(generation), at: F.t(3600), lifetimes: lifetimes).thenRefused(.expired)
        scenario.when(F.refresh(generation), at: F.t(3601), lifetimes: lifetimes).thenRefused(.expired)
    }

    @Test func idleExpiryCountsFromTheCurrentTokensIssue() {
        let lifetimes = Lifetimes(refreshTokenIdle: .seconds(3600))
        let every = Duration.seconds(50 * 60)
        let scenario = given(F.codeFlowGrant(generation: 3, every: every, lifetimes: lifetimes))
        let issued = F.issuedAt(generation: 3, every: every)  // 100 min after redemption
        let justBefore = issued.adding(.seconds(3600)).adding(.milliseconds(-1))
        scenario.when(F.refresh(3), at: justBefore, lifetimes: lifetimes)
            .then(F.rotated(from: 3, at: justBefore, lifetimes: lifetimes))
        scenario.when(F.refresh(3), at: issued.adding(.seconds(3600)), lifetimes: lifetimes).thenRefused(.expired)
    }

    @Test func firstGenerationIdlesFromRedemption() {
        let lifetimes = Lifetimes(refreshTokenIdle: .seconds(3600))
        let scenario = given(F.codeFlowGrant(lifetimes: lifetimes))
        scenario.when(F.refresh(1), at: F.t(3610, ms: -1), lifetimes: lifetimes)
            .then(F.rotated(from: 1, at: F.t(3610, ms: -1), lifetimes: lifetimes))
        scenario.when(F.refresh(1), at: F.t(3610), lifetimes: lifetimes).thenRefused(.expired)
    }

    // MARK: Scope

    @Test func downScopedAccessTokenCarriesTheRequestedSubset() throws {
        let openid = Scope(parsing: "openid")
        let outcome = given(F.codeFlowGrant()).when(F.refresh(1, scope: openid), at: F.t(70))
            .then(F.rotated(from: 1, at: F.t(70), scope: openid))
        #expect(outcome.state?.scope == F.scope)
        // The refresh token keeps the grant's scope: the next refresh may ask for all of it again.
        outcome.andThen.when(F.refresh(2), at: F.t(80)).then(F.rotated(from: 2, at: F.t(80)))
    }

    @Test(arguments: ["openid admin", "profile email offline_access", "write"])
    func upScopingIsRefusedAndKeepsTheTokenUsable(requested: String) {
        let outcome = given(F.codeFlowGrant()).when(F.refresh(1, scope: Scope(parsing: requested)), at: F.t(70))
            .thenRefused(.scopeExceeded)
        outcome.andThen.when(F.refresh(1), at: F.t(71)).then(F.rotated(from: 1, at: F.t(71)))
    }

    // MARK: Compromise

    @Test func anotherClientPresentingTheTokenRevokesTheGrant() {
        let outcome = given(F.codeFlowGrant()).when(F.refresh(1, by: F.otherClient), at: F.t(70))
            .thenRefused(.clientMismatch, events: [F.revoked(.clientMismatch, at: F.t(70), until: F.t(610))])
        outcome.andThen.when(F.refresh(1), at: F.t(71)).thenRefused(.revoked)
    }

    @Test("Reuse of every older generation revokes the family", arguments: 1...4)
    func reuseOfAnOlderGeneration(presented: Int) throws {
        let at = F.issuedAt(generation: 5).adding(.seconds(10))
        let outcome = given(F.codeFlowGrant(generation: 5)).when(F.refresh(presented), at: at)
            .thenRefused(.reuseDetected, events: [
                .reuseDetected(ReuseDetected(
                    grantID: F.grant, presentedGeneration: presented, currentGeneration: 5, presentedBy: F.client, at: at
                )),
                F.revoked(.reuseDetected, at: at, until: F.issuedAt(generation: 5).adding(.seconds(600))),
            ])
        #expect(outcome.state?.status == .revoked)
        #expect(outcome.state?.revocationReason == .reuseDetected)
        outcome.andThen.when(F.refresh(5), at: at.adding(.seconds(1))).thenRefused(.revoked)
        #expect(Self.liveGenerations(outcome.andThen, upTo: 5, at: at).isEmpty)
    }

    @Test(arguments: 1...3, [Fixture.client, Fixture.otherClient])
    func afterRevocationEveryTokenIsRefusedWithoutEvents(generation: Int, clientID: ClientID) {
        let history = F.codeFlowGrant(generation: 3) + [F.revoked(.admin, at: F.t(200), until: F.t(730))]
        given(history).when(F.refresh(generation, by: clientID), at: F.t(201)).thenRefused(.revoked)
    }

    // MARK: Grace window

    static let grace = Lifetimes(refreshGrace: .seconds(5))
    /// Generation 2 is current, rotated from 1 at t+70 s with a sealed response.
    static let sealedAtSeventy = F.codeFlowGrant(generation: 2, sealed: true, lifetimes: grace)

    static func reuse(of presented: Int, current: Int, at: Instant, until: Instant) -> [GrantEvent] {
        [
            .reuseDetected(ReuseDetected(
                grantID: F.grant, presentedGeneration: presented, currentGeneration: current, presentedBy: F.client, at: at
            )),
            F.revoked(.reuseDetected, at: at, until: until),
        ]
    }

    @Test(arguments: [Fixture.t(70), Fixture.t(70, ms: 1), Fixture.t(75, ms: -1)])
    func previousGenerationWithinGraceIsAnsweredWithTheSameSuccessor(at now: Instant) {
        let outcome = given(Self.sealedAtSeventy).when(F.refresh(1), at: now, lifetimes: Self.grace)
            .then([
                .refreshTokenGraceReplayed(RefreshTokenGraceReplayed(
                    grantID: F.grant, presentedGeneration: 1, successorGeneration: 2, at: now
                ))
            ])
        #expect(outcome.state == given(Self.sealedAtSeventy).state)
        #expect(given(Self.sealedAtSeventy).state?.refresh?.lastRotation?.graceAnswerKept == true)
        #expect(outcome.decision.replays)
    }

    @Test func onlyAGraceReplayReportsAReplay() {
        let rotation = given(Self.sealedAtSeventy).when(F.refresh(2), at: F.t(71), lifetimes: Self.grace)
        #expect(rotation.decision.refusal == nil)
        #expect(!rotation.decision.replays)
        let reuse = given(Self.sealedAtSeventy).when(F.refresh(1), at: F.t(75), lifetimes: Self.grace)
        #expect(reuse.decision.refusal?.code == .reuseDetected)
        #expect(!reuse.decision.replays)
    }

    @Test(arguments: [Fixture.t(75), Fixture.t(75, ms: 1), Fixture.t(600)])
    func previousGenerationAtOrAfterGraceIsReuse(at now: Instant) {
        given(Self.sealedAtSeventy).when(F.refresh(1), at: now, lifetimes: Self.grace)
            .thenRefused(.reuseDetected, events: Self.reuse(of: 1, current: 2, at: now, until: F.t(670)))
    }

    @Test func generationTwoBackWithinGraceIsReuse() {
        let history = F.codeFlowGrant(generation: 3, every: .seconds(2), sealed: true, lifetimes: Self.grace)
        given(history).when(F.refresh(1), at: F.t(15), lifetimes: Self.grace)
            .thenRefused(.reuseDetected, events: Self.reuse(of: 1, current: 3, at: F.t(15), until: F.t(614)))
    }

    @Test func graceWithoutASealedResponseIsReuse() {
        let history = F.codeFlowGrant(generation: 2, sealed: false, lifetimes: Self.grace)
        given(history).when(F.refresh(1), at: F.t(71), lifetimes: Self.grace)
            .thenRefused(.reuseDetected, events: Self.reuse(of: 1, current: 2, at: F.t(71), until: F.t(670)))
    }

    @Test func noGraceByDefault() {
        #expect(Lifetimes.standard.refreshGrace == .zero)
        given(Self.sealedAtSeventy).when(F.refresh(1), at: F.t(70))
            .thenRefused(.reuseDetected, events: Self.reuse(of: 1, current: 2, at: F.t(70), until: F.t(670)))
    }

    @Test func graceReplayByAnotherClientRevokesTheGrant() {
        given(Self.sealedAtSeventy).when(F.refresh(1, by: F.otherClient), at: F.t(71), lifetimes: Self.grace)
            .thenRefused(.clientMismatch, events: [F.revoked(.clientMismatch, at: F.t(71), until: F.t(670))])
    }

    @Test func afterAGraceReplayTheSuccessorRotatesAndOnlyOneGenerationLives() {
        let replayed = given(Self.sealedAtSeventy).when(F.refresh(1), at: F.t(72), lifetimes: Self.grace).andThen
        #expect(Self.liveGenerations(replayed, upTo: 2, at: F.t(73), lifetimes: Self.grace) == [2])

        let rotated = replayed.when(F.refresh(2, keepsGraceAnswer: true), at: F.t(73), lifetimes: Self.grace)
            .then(F.rotated(from: 2, at: F.t(73), graceAnswerKept: true, lifetimes: Self.grace))
            .andThen
        #expect(rotated.state?.refresh?.generation == 3)
        #expect(Self.liveGenerations(rotated, upTo: 3, at: F.t(74), lifetimes: Self.grace) == [3])
        // Generation 1 is now two back: reuse, even inside the window of the newest rotation.
        rotated.when(F.refresh(1), at: F.t(74), lifetimes: Self.grace)
            .thenRefused(.reuseDetected, events: Self.reuse(of: 1, current: 3, at: F.t(74), until: F.t(673)))
    }
}
