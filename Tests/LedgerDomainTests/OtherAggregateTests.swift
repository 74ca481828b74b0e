import LedgerDomain
import Testing

/// Given/when/then tests for the client, signing-key and subject aggregates (sessions: `SessionTests`).
@Suite("Client, signing key and subject decisions")
struct OtherAggregateTests {
    static let t0 = Instant(seconds: 1_800_000_000)
    static let registration = ClientRegistered(
        clientID: ClientID("web"), clientName: "Web", redirectURIs: ["https://app.example/cb"], postLogoutRedirectURIs: [],
        grantTypes: ["authorization_code", "refresh_token"], responseTypes: ["code"], tokenEndpointAuthMethod: "client_secret_basic",
        scope: Scope(["openid"]), secretHash: TokenHash(hex: "aa"), lifetimes: .standard, at: t0
    )

    @Test("a client registers once; deleting revokes its tokens, deactivates it, and is idempotent")
    func clientLifecycle() {
        let context = DecisionContext(now: Self.t0.adding(.seconds(10)))
        #expect(Client.decide(.register(Self.registration), nil, context).events == [.registered(Self.registration)])
        let client = Client.fold([.registered(Self.registration)])
        #expect(Client.decide(.register(Self.registration), client, context).refusal == ClientError(.alreadyRegistered, ClientID("web")))

        let expireBy = Self.t0.adding(.seconds(600))
        let deletion = Client.decide(.deactivate(reason: .clientDeactivated, tokensExpireBy: expireBy), client, context)
        #expect(deletion.events == [
            .revoked(ClientRevoked(clientID: ClientID("web"), reason: .clientDeactivated, notBefore: context.now, until: expireBy)),
            .deactivated(ClientDeactivated(clientID: ClientID("web"), at: context.now)),
        ])
        let deleted = Client.fold(deletion.events, from: client)
        #expect(deleted?.active == false)
        #expect(deleted?.revokedBefore == context.now)
        #expect(Client.decide(.deactivate(reason: .clientDeactivated, tokensExpireBy: expireBy), deleted, context).events.isEmpty)
    }

    @Test("a key is published, then activated, then retired and published until its tokens expire")
    func signingKeyLifecycle() {
        let added = SigningKeyAdded(keyID: KeyID("k1"), algorithm: "ES256", publicJWK: "{}", at: Self.t0)
        let context = DecisionContext(now: Self.t0.adding(.seconds(60)))
        #expect(SigningKey.decide(.add(added), nil, context).events == [.added(added)])
        var key = SigningKey.fold([.added(added)])
        #expect(key?.status == .published)
        #expect(key?.isPublished(at: context.now) == true)

        let activation = SigningKey.decide(.activate, key, context)
        #expect(activation.events == [.activated(SigningKeyChanged(keyID: KeyID("k1"), at: context.now))])
        key = SigningKey.fold(activation.events, from: key)
        #expect(SigningKey.decide(.activate, key, context).events.isEmpty)

        let until = context.now.adding(.seconds(3600))
        key = SigningKey.fold(SigningKey.decide(.retire(publishUntil: until), key, context).events, from: key)
        #expect(key?.status == .retired)
        #expect(key?.isPublished(at: until.adding(.seconds(-1))) == true)
        #expect(key?.isPublished(at: until) == false)
        #expect(SigningKey.decide(.activate, key, context).refusal == SigningKeyError(.notPublished))
    }

    @Test("keys of any algorithm but ES256, RS256 and EdDSA are refused", arguments: ["none", "HS256", "HS512", "ES384", "PS256"])
    func algorithmAllowList(_ algorithm: String) {
        let added = SigningKeyAdded(keyID: KeyID("k"), algorithm: algorithm, publicJWK: "{}", at: Self.t0)
        let decision = SigningKey.decide(.add(added), nil, DecisionContext(now: Self.t0))
        #expect(decision.events.isEmpty)
        #expect(decision.refusal == SigningKeyError(.algorithmNotAllowed))
    }

    @Test("a later subject revocation moves not_before forward and never shortens until")
    func subjectRevocations() {
        let alice = Subject("alice")
        let first = SubjectRevocations.decide(
            .revokeTokens(alice, reason: .admin, tokensExpireBy: Self.t0.adding(.seconds(3600))), nil, DecisionContext(now: Self.t0)
        )
        #expect(first.events == [.revoked(SubjectRevoked(subject: alice, reason: .admin, notBefore: Self.t0, until: Self.t0.adding(.seconds(3600))))])
        let state = SubjectRevocations.fold(first.events)
        let later = Self.t0.adding(.seconds(60))
        let second = SubjectRevocations.decide(
            .revokeTokens(alice, reason: .admin, tokensExpireBy: later.adding(.seconds(60))), state, DecisionContext(now: later)
        )
        #expect(second.events == [.revoked(SubjectRevoked(subject: alice, reason: .admin, notBefore: later, until: Self.t0.adding(.seconds(3600))))])
        #expect(SubjectRevocations.fold(second.events, from: state)?.revokedBefore == later)
    }
}
