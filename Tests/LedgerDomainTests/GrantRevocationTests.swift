import LedgerDomain
import Testing

@Suite("Revocation and client credentials")
struct GrantRevocationTests {
    typealias F = Fixture

    // MARK: Whole grant

    @Test func revokingLastsUntilTheLatestTokenExpires() throws {
        // Access token 1 expires at t+610 s, the ID token at t+1210 s: the later one bounds `until`.
        let idToken = GrantEvent.idTokenIssued(IDTokenIssued(grantID: F.grant, jti: F.idToken, issuedAt: F.t(10), expiresAt: F.t(1210)))
        let outcome = given(F.codeFlowGrant() + [idToken]).when(.revoke(reason: .logout), at: F.t(100))
            .then([F.revoked(.logout, at: F.t(100), until: F.t(1210))])
        let state = try #require(outcome.state)
        #expect(state.status == .revoked)
        #expect(state.revocationReason == .logout)
    }

    @Test func revokingAfterEveryTokenExpiredLastsUntilNow() {
        given(F.codeFlowGrant()).when(.revoke(reason: .admin), at: F.t(5000))
            .then([F.revoked(.admin, at: F.t(5000), until: F.t(5000))])
    }

    @Test func revokingAGrantThatAwaitsItsCodeLastsUntilNow() {
        given(F.codeFlowStarted()).when(.revoke(reason: .logout), at: F.t(20))
            .then([F.revoked(.logout, at: F.t(20), until: F.t(20))])
    }

    @Test func revokingTwiceAppendsNothing() {
        given(F.codeFlowGrant()).when(.revoke(reason: .admin), at: F.t(100))
            .andThen.when(.revoke(reason: .logout), at: F.t(200))
            .then([])
    }

    @Test func revokingAGrantThatDoesNotExistIsUnknown() {
        given().when(.revoke(reason: .admin), at: F.t0).thenRefused(.unknown)
    }

    // MARK: One access token

    @Test func revokingAnAccessTokenLastsUntilItExpires() {
        given(F.codeFlowGrant()).when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .holderRequest), at: F.t(100))
            .then([
                .accessTokenRevoked(AccessTokenRevoked(
                    grantID: F.grant, jti: F.accessToken(1), reason: .holderRequest, at: F.t(100), until: F.t(610)
                ))
            ])
    }

    @Test func revokingAnAccessTokenLeavesTheGrantUsable() throws {
        let outcome = given(F.codeFlowGrant())
            .when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .holderRequest), at: F.t(100))
        #expect(outcome.state?.status == .active)
        outcome.andThen.when(F.refresh(1), at: F.t(101)).then(F.rotated(from: 1, at: F.t(101)))
    }

    @Test(arguments: [Fixture.t(610), Fixture.t(611), Fixture.t(9999)])
    func revokingAnExpiredAccessTokenAppendsNothing(at now: Instant) {
        given(F.codeFlowGrant())
            .when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .holderRequest), at: now)
            .then([])
    }

    @Test func revokingAnAccessTokenTwiceAppendsNothingTheSecondTime() {
        let first = given(F.codeFlowGrant())
            .when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .holderRequest), at: F.t(100))
        #expect(first.state?.revokedAccessTokens == [F.accessToken(1)])
        first.andThen.when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .admin), at: F.t(200)).then([])
    }

    @Test func revokingAnAccessTokenOfARevokedGrantAppendsNothing() {
        given(F.codeFlowGrant() + [F.revoked(.admin, at: F.t(50), until: F.t(610))])
            .when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .holderRequest), at: F.t(100))
            .then([])
    }

    @Test func revokingAnAccessTokenOfAGrantThatDoesNotExistIsUnknown() {
        given().when(.revokeAccessToken(jti: F.accessToken(1), expiresAt: F.t(610), reason: .admin), at: F.t0)
            .thenRefused(.unknown)
    }

    // MARK: Client credentials

    static let service = ClientID("service-billing")
    static let serviceGrant = GrantID("grant-cc-1")
    static let serviceScope = Scope(parsing: "revocations:read")

    static func startService(_ grant: GrantID = serviceGrant) -> GrantCommand {
        .startWithClientCredentials(.init(
            grantID: grant, clientID: service, scope: serviceScope
        ))
    }

    static let serviceStarted: [GrantEvent] = [
        .clientCredentialsIssued(ClientCredentialsIssued(
            grantID: serviceGrant, clientID: service, scope: serviceScope, issuedAt: Fixture.t0, expiresAt: Fixture.t(600)
        ))
    ]

    @Test func clientCredentialsStartActsForTheClientItself() throws {
        let outcome = given().when(Self.startService(), at: F.t0).then(Self.serviceStarted)
        let state = try #require(outcome.state)
        #expect(state.subject == Subject(Self.service.rawValue))
        #expect(state.status == .active)
        #expect(state.refresh == nil)
        #expect(state.code == nil)
        #expect(state.tokensExpireBy == Fixture.t(600))
        #expect(state.isLogOnly)
    }

    @Test func clientCredentialsTokenIsRevokedByItsGrantID() {
        let jti = TokenID(Self.serviceGrant.rawValue)
        given(Self.serviceStarted).when(.revokeAccessToken(jti: jti, expiresAt: Fixture.t(600), reason: .holderRequest), at: F.t(10))
            .then([.accessTokenRevoked(AccessTokenRevoked(
                grantID: Self.serviceGrant, jti: jti, reason: .holderRequest, at: F.t(10), until: Fixture.t(600)
            ))])
    }

    @Test func clientCredentialsGrantHasNoRefreshToken() {
        let command = GrantCommand.refresh(.init(
            presentedHash: F.hash("anything"), presentedGeneration: 1, clientID: Self.service, requestedScope: nil,
            successorHash: F.hash("next"), accessToken: TokenID("at-cc-2"), keepsGraceAnswer: false
        ))
        given(Self.serviceStarted).when(command, at: F.t(10)).thenRefused(.unknown)
    }

    @Test func clientCredentialsGrantHasNoCode() {
        given(Self.serviceStarted).when(F.redeem(by: Self.service), at: F.t(10)).thenRefused(.unknown)
    }

    @Test func clientCredentialsGrantStartsOnce() {
        given(Self.serviceStarted).when(Self.startService(), at: F.t(10)).thenRefused(.alreadyStarted)
    }

    @Test func revokingAClientCredentialsGrantLastsUntilItsTokenExpires() {
        given(Self.serviceStarted).when(.revoke(reason: .clientDeactivated), at: F.t(60))
            .then([.revoked(GrantRevoked(grantID: Self.serviceGrant, reason: .clientDeactivated, at: F.t(60), until: F.t(600)))])
    }
}
