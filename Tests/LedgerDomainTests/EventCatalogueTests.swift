#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerDomain
import Testing

@Suite("Event catalogue and payload codec")
struct EventCatalogueTests {
    typealias F = Fixture

    /// One sample of every case of every event enum.
    static let samples: [LedgerEvent] = {
        let g = F.grant, at = F.t(70), until = F.t(670)
        let grant: [GrantEvent] = F.codeFlowStarted() + F.redeemed() + [
            .codeReplayed(CodeReplayed(grantID: g, codeHash: F.codeHash, presentedBy: F.otherClient, at: at)),
            .idTokenIssued(IDTokenIssued(grantID: g, jti: F.idToken, issuedAt: F.t(10), expiresAt: F.t(610))),
            F.rotation(from: 1, at: at, graceAnswerKept: true),
            .refreshTokenGraceReplayed(RefreshTokenGraceReplayed(grantID: g, presentedGeneration: 1, successorGeneration: 2, at: at)),
            .reuseDetected(ReuseDetected(grantID: g, presentedGeneration: 1, currentGeneration: 2, presentedBy: F.client, at: at)),
            .fingerprintChanged(FingerprintChanged(grantID: g, generation: 2, previous: "fp-a", presented: "fp-b", policy: .reauthenticate, at: at)),
            .accessTokenRevoked(AccessTokenRevoked(grantID: g, jti: F.accessToken(1), reason: .holderRequest, at: at, until: until)),
            F.revoked(.reuseDetected, at: at, until: until),
            .clientCredentialsIssued(ClientCredentialsIssued(
                grantID: GrantID("cc-1"), clientID: F.client, scope: Scope(parsing: "api:read"), issuedAt: F.t0, expiresAt: F.t(600),
                audience: Resources(["https://api.example.com"])
            )),
        ]
        let session: [SessionEvent] = [
            .started(SessionStarted(sessionID: F.session, subject: F.user, authTime: F.t0)),
            .ended(SessionEnded(sessionID: F.session, reason: .logout, at: at)),
            .revoked(SessionRevoked(sessionID: F.session, subject: F.user, reason: .sessionLimit, at: at, until: until)),
        ]
        let registration = ClientRegistered(
            clientID: F.client, clientName: "Web app", redirectURIs: [F.redirectURI],
            postLogoutRedirectURIs: ["https://app.example.com/bye"], grantTypes: ["authorization_code", "refresh_token"],
            responseTypes: ["code"], tokenEndpointAuthMethod: "client_secret_basic", scope: F.scope,
            secretHash: F.hash("secret"), lifetimes: Lifetimes(accessToken: .seconds(300), refreshGrace: .seconds(5)), at: F.t0
        )
        var publicClient = registration
        publicClient.clientName = nil
        publicClient.tokenEndpointAuthMethod = "none"
        publicClient.secretHash = nil
        let client: [ClientEvent] = [
            .registered(registration),
            .updated(publicClient),
            .deactivated(ClientDeactivated(clientID: F.client, at: at)),
            .revoked(ClientRevoked(clientID: F.client, reason: .clientDeactivated, notBefore: at, until: until)),
        ]
        let subject: [SubjectEvent] = [
            .revoked(SubjectRevoked(subject: F.user, reason: .admin, notBefore: at, until: until))
        ]
        let kid = KeyID("key-2026-01")
        let key: [SigningKeyEvent] = [
            .added(SigningKeyAdded(keyID: kid, algorithm: "ES256", publicJWK: #"{"kty":"EC","crv":"P-256"}"#, at: F.t0)),
            .activated(SigningKeyChanged(keyID: kid, at: at)),
            .retired(SigningKeyRetired(keyID: kid, at: at, publishUntil: until)),
        ]
        let flow = LoginFlowID("flow-1")
        let request = AuthorizationParameters(
            clientID: F.client, redirectURI: F.redirectURI, scope: F.scope, state: "s", codeChallenge: F.challenge, nonce: F.nonce,
            maxAge: 300, prompt: ["login"], resources: nil, loginHint: "ada", acrValues: ["urn:mfa"]
        )
        let login: [LoginEvent] = [
            .requested(LoginRequested(
                flowID: flow, request: request, challengeHash: F.hash("c"), browserHash: F.hash("b"),
                skip: LoginSkip(subject: F.user, sessionID: F.session), at: F.t0, expiresAt: F.t(600)
            )),
            .accepted(LoginAccepted(
                flowID: flow, subject: F.user, acr: "urn:mfa", amr: ["pwd"], authTime: F.t0, remember: true, rememberFor: 3600,
                claims: ["name"], answeredBy: "admin", verifierHash: F.hash("v"), at: at
            )),
            .rejected(FlowRejected(flowID: flow, error: "access_denied", errorDescription: nil, answeredBy: "admin", at: at)),
            .consentRequested(ConsentRequested(
                flowID: flow, subject: F.user, clientID: F.client, sessionID: F.session, challengeHash: F.hash("cc"), at: at
            )),
            .consentGranted(ConsentGranted(
                flowID: flow, subject: F.user, clientID: F.client, scope: F.scope, source: .app, remember: true, rememberUntil: until,
                sessionID: nil, claims: ["name"], answeredBy: "admin", verifierHash: F.hash("cv"), at: at
            )),
            .consentRejected(FlowRejected(flowID: flow, error: "access_denied", errorDescription: "no", answeredBy: "admin", at: at)),
            .completed(LoginCompleted(flowID: flow, grantID: g, at: at)),
        ]
        let consent: [ConsentEvent] = [
            .remembered(ConsentRemembered(subject: F.user, clientID: F.client, scope: F.scope, until: until, flowID: flow, at: at)),
            .revoked(ConsentRevoked(subject: F.user, clientID: F.client, at: at)),
        ]
        return grant.map(LedgerEvent.grant) + session.map(LedgerEvent.session) + client.map(LedgerEvent.client)
            + subject.map(LedgerEvent.subject) + key.map(LedgerEvent.signingKey) + login.map(LedgerEvent.login)
            + consent.map(LedgerEvent.consent)
    }()

    // MARK: Catalogue

    @Test func typeNamesAreUnique() {
        let names = LedgerEvent.typeNames
        #expect(Set(names).count == names.count, "duplicates: \(names.filter { n in names.filter { $0 == n }.count > 1 })")
    }

    @Test func typeNamesAreDottedAndStartWithAStreamKind() {
        let kinds: Set<String> = ["grant", "session", "client", "subject", "key", "login", "consent"]
        for name in LedgerEvent.typeNames {
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count >= 2, "\(name) is not dotted")
            #expect(kinds.contains(String(parts[0])), "\(name) does not start with a stream kind")
            #expect(
                parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) } },
                "\(name) is not lower_snake.dotted"
            )
        }
    }

    @Test func samplesCoverEveryTypeNameOnce() {
        let sampled = Self.samples.map(\.event.typeName)
        #expect(sampled.count == LedgerEvent.typeNames.count)
        #expect(Set(sampled) == Set(LedgerEvent.typeNames))
    }

    @Test("exactly the events listed as revoking answer a Revocation", arguments: samples)
    func revokingEvents(_ sample: LedgerEvent) {
        #expect((Revocation(sample) != nil) == Revocation.eventTypeNames.contains(sample.event.typeName), "\(sample.event.typeName)")
    }

    @Test(arguments: samples)
    func typeNameBelongsToItsEnumAndStream(_ sample: LedgerEvent) {
        let event = sample.event
        #expect(type(of: event).typeNames.contains(event.typeName))
        // The one exception: a login flow's consent steps (consent.requested, .granted,
        // .rejected) live in the flow's stream, which decides them once, with its handles.
        let kind = event.streamID.kind == "login" && event.typeName.hasPrefix("consent.") ? "consent" : event.streamID.kind
        #expect(event.typeName.hasPrefix(kind + "."))
    }

    // MARK: Codec

    @Test(arguments: samples)
    func payloadRoundTripsThroughItsEnum(_ sample: LedgerEvent) throws {
        func check<E: DomainEvent>(_ event: E) throws {
            #expect(try EventCodec.roundTrip(event) == event)
        }
        try check(sample.event)
    }

    @Test(arguments: samples)
    func payloadRoundTripsThroughTheCatalogue(_ sample: LedgerEvent) throws {
        let data = try EventCodec.encode(sample.event)
        #expect(try EventCodec.decodeLedger(typeName: sample.event.typeName, from: data) == sample)
    }

    @Test func payloadsUseSnakeCaseKeysAndIntegerMilliseconds() throws {
        let rotation = GrantEvent.refreshTokenRotated(RefreshTokenRotated(
            grantID: F.grant, fromGeneration: 1, toGeneration: 2, tokenHash: TokenHash(hex: "ab12"),
            rotatedAt: Instant(milliseconds: 1_767_225_670_123), graceAnswerKept: nil
        ))
        #expect(try EventCodec.json(rotation) == #"{"from_generation":1,"grant_id":"grant-1","rotated_at":1767225670123,"to_generation":2,"token_hash":"ab12"}"#)
        let started = GrantEvent.started(GrantStarted(
            grantID: F.grant, clientID: F.client, subject: F.user, sessionID: nil, scope: Scope(parsing: "profile openid"),
            flow: .authorizationCode, startedAt: F.t0, refreshAbsoluteExpiresAt: F.t(60)
        ))
        #expect(try EventCodec.json(started) == #"{"client_id":"client-web","flow":"authorization_code","grant_id":"grant-1","refresh_absolute_expires_at":1767225660000,"scope":"openid profile","started_at":1767225600000,"sub":"user-42"}"#)
    }

    // MARK: Unknown types

    @Test(arguments: ["grant.bogus", "nope.started", "grant", "", "session.started.extra", "GRANT.started"])
    func unknownTypeNameThrows(_ typeName: String) throws {
        let data = try EventCodec.encode(Self.samples[0].event)
        #expect(throws: UnknownEventType(typeName: typeName)) {
            try EventCodec.decodeLedger(typeName: typeName, from: data)
        }
    }

    @Test func enumRefusesAnotherKindsTypeName() throws {
        let data = try EventCodec.encode(Self.samples[0].event)
        #expect(throws: UnknownEventType(typeName: "session.started")) {
            try EventCodec.decode(GrantEvent.self, typeName: "session.started", from: data)
        }
        #expect(throws: UnknownEventType(typeName: "grant.started")) {
            try EventCodec.decode(SubjectEvent.self, typeName: "grant.started", from: data)
        }
    }
}
