import LedgerDomain
import Testing

@Suite("Resource indicators (RFC 8707): a grant keeps the resources granted, each access token's audience is among them")
struct GrantResourceTests {
    typealias F = Fixture

    static let api = "https://api.example.com"
    static let billing = "https://billing.example.com"
    static let granted = Resources([api, billing])

    /// A code-flow grant whose authorization request named `api` and `billing`, redeemed without
    /// narrowing: its first access token is for both.
    static func grant() -> [GrantEvent] {
        var events = F.codeFlowGrant()
        guard case .started(var started) = events[0], case .accessTokenIssued(var issued) = events[3] else {
            fatalError("codeFlowGrant starts with grant.started and issues access token 1 fourth")
        }
        started.resources = granted
        issued.audience = granted
        events[0] = .started(started)
        events[3] = .accessTokenIssued(issued)
        return events
    }

    static let idToken = GrantEvent.idTokenIssued(IDTokenIssued(
        grantID: F.grant, jti: F.idToken, issuedAt: F.redeemedAt, expiresAt: F.redeemedAt.adding(Lifetimes.standard.idToken)
    ))

    static func redeem(asking resources: Resources?) -> GrantCommand {
        guard case .redeemCode(var command) = F.redeem() else { fatalError("F.redeem() redeems") }
        command.requestedResources = resources
        return .redeemCode(command)
    }

    static func refresh(asking resources: Resources?) -> GrantCommand {
        guard case .refresh(var command) = F.refresh(1) else { fatalError("F.refresh(1) refreshes") }
        command.requestedResources = resources
        return .refresh(command)
    }

    static func withAudience(_ events: [GrantEvent], _ audience: Resources?) -> [GrantEvent] {
        events.map { event in
            guard case .accessTokenIssued(var issued) = event else { return event }
            issued.audience = audience
            return .accessTokenIssued(issued)
        }
    }

    @Test("the start records the resources and the fold keeps them")
    func startRecordsResources() throws {
        guard case .startWithCode(var command) = F.startWithCode() else { fatalError("startWithCode") }
        command.resources = Self.granted
        let then = given().when(.startWithCode(command), at: F.t0)
        guard case .started(let started) = try #require(then.events.first) else {
            Issue.record("the first event is not grant.started")
            return
        }
        #expect(started.resources == Self.granted)
        #expect(then.state?.resources == Self.granted)
    }

    @Test("redeeming without a resource gives the grant's resources; naming one of them narrows the token to it")
    func redeemNarrows() {
        let started = Array(Self.grant().prefix(2))
        given(started).when(Self.redeem(asking: nil), at: F.redeemedAt)
            .then(Self.withAudience(F.redeemed(), Self.granted) + [Self.idToken])
        given(started).when(Self.redeem(asking: Resources([Self.billing])), at: F.redeemedAt)
            .then(Self.withAudience(F.redeemed(), Resources([Self.billing])) + [Self.idToken])
    }

    @Test("a resource the grant does not hold is refused with nothing appended, at redemption and at refresh")
    func foreignResourceRefused() {
        let other = Resources(["https://other.example.com"])
        given(Array(Self.grant().prefix(2))).when(Self.redeem(asking: other), at: F.redeemedAt).thenRefused(.targetNotGranted)
        given(Self.grant()).when(Self.refresh(asking: Resources([Self.api, "https://other.example.com"])), at: F.t(30))
            .thenRefused(.targetNotGranted)
    }

    @Test("a grant started without resources refuses every named resource: its tokens are for the default audience only")
    func noResourcesGranted() {
        given(F.codeFlowGrant()).when(Self.refresh(asking: Resources([Self.api])), at: F.t(30)).thenRefused(.targetNotGranted)
        given(F.codeFlowGrant()).when(Self.refresh(asking: nil), at: F.t(30)).then(F.rotated(from: 1, at: F.t(30)))
    }

    @Test("a refresh may narrow the audience per token; the grant keeps every resource for the next one")
    func refreshNarrowsPerToken() {
        let narrowed = given(Self.grant()).when(Self.refresh(asking: Resources([Self.api])), at: F.t(30))
            .then(Self.withAudience(F.rotated(from: 1, at: F.t(30)), Resources([Self.api])))
        #expect(narrowed.state?.resources == Self.granted)
        guard case .refresh(var next) = F.refresh(2) else { fatalError("F.refresh(2) refreshes") }
        next.requestedResources = nil
        narrowed.andThen.when(.refresh(next), at: F.t(60)).then(Self.withAudience(F.rotated(from: 2, at: F.t(60)), Self.granted))
    }

    @Test("client credentials: the token's audience is the resources asked for, recorded on its one event and the grant")
    func clientCredentials() throws {
        let command = GrantCommand.startWithClientCredentials(.init(
            grantID: F.grant, clientID: F.client, scope: Scope(parsing: "api:read"), resources: Resources([Self.api])
        ))
        let then = given().when(command, at: F.t0)
        #expect(then.decision.refusal == nil)
        guard then.events.count == 1, case .clientCredentialsIssued(let issued) = then.events.first else {
            Issue.record("expected one grant.client_credentials event")
            return
        }
        #expect(issued.audience == Resources([Self.api]))
        #expect(then.state?.resources == Resources([Self.api]))
    }

    @Test("resource indicators: absolute URIs without a fragment")
    func indicatorSyntax() {
        for good in ["https://api.example.com", "https://api.example.com/v1?tenant=a", "urn:example:api", "app+x://h"] {
            #expect(Resources.isIndicator(good), "\(good)")
        }
        for bad in ["", "api.example.com", "/relative", "https://api.example.com/#frag", "https://a b", "1http://x", "https:", "http://x\u{7F}"] {
            #expect(!Resources.isIndicator(bad), "\(bad)")
        }
    }
}

extension GrantResourceTests {
    @Test("resources are stored as a sorted JSON array: on grant.started as resources, on the token as aud; absent when none")
    func payloadEncoding() throws {
        let started = GrantEvent.started(GrantStarted(
            grantID: F.grant, clientID: F.client, subject: F.user, sessionID: nil, scope: Scope(parsing: "api"), flow: .clientCredentials,
            startedAt: F.t0, refreshAbsoluteExpiresAt: F.t0, resources: Resources([Self.billing, Self.api, Self.api])
        ))
        #expect(try EventCodec.json(started).contains(#""resources":["https:\/\/api.example.com","https:\/\/billing.example.com"]"#))
        #expect(try EventCodec.roundTrip(started) == started)
        let issued = GrantEvent.accessTokenIssued(AccessTokenIssued(
            grantID: F.grant, jti: TokenID("at-1"), scope: Scope(parsing: "api"), issuedAt: F.t0, expiresAt: F.t(600),
            audience: Resources([Self.api])
        ))
        #expect(try EventCodec.json(issued).contains(#""aud":["https:\/\/api.example.com"]"#))
        #expect(try EventCodec.roundTrip(issued) == issued)
        #expect(try !EventCodec.json(F.accessTokenIssued(TokenID("at-2"), at: F.t0)).contains("aud"))
    }
}
