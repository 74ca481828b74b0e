import LedgerDomain
import Testing

/// Given/when/then tests for the OP session aggregate and the session-limit policy.
@Suite("Session decisions and the session limit")
struct SessionTests {
    static let t0 = Instant(seconds: 1_800_000_000)
    static let sid = SessionID("s1")
    static let alice = Subject("alice")
    static let started = SessionEvent.started(SessionStarted(sessionID: sid, subject: alice, authTime: t0))

    static func at(_ seconds: Int64) -> DecisionContext { DecisionContext(now: t0.adding(.seconds(seconds))) }

    @Test("start records the subject and auth_time = now; a second start of the same sid is refused")
    func start() throws {
        let decision = Session.decide(.start(Self.sid, subject: Self.alice), nil, Self.at(0))
        #expect(decision.refusal == nil)
        #expect(decision.events == [Self.started])
        let state = try #require(Session.fold(decision.events))
        #expect(state == Session(sessionID: Self.sid, subject: Self.alice, authTime: Self.t0))
        #expect(state.isActive)
        let again = Session.decide(.start(Self.sid, subject: Subject("mallory")), state, Self.at(1))
        #expect(again.events.isEmpty)
        #expect(again.refusal?.code == .alreadyStarted)
    }

    @Test("logout ends the session and revokes its tokens until they expire; ending again appends nothing")
    func end() throws {
        let state = Session.fold([Self.started])
        let until = Self.t0.adding(.seconds(900))
        let decision = Session.decide(.end(reason: .logout, tokensExpireBy: until), state, Self.at(30))
        let now = Self.t0.adding(.seconds(30))
        #expect(decision.events == [
            .ended(SessionEnded(sessionID: Self.sid, reason: .logout, at: now)),
            .revoked(SessionRevoked(sessionID: Self.sid, subject: Self.alice, reason: .logout, at: now, until: until)),
        ])
        let ended = try #require(Session.fold(decision.events, from: state))
        #expect(!ended.isActive)
        #expect(ended.endedAt == now && ended.revokedAt == now && ended.reason == .logout)
        #expect(Session.decide(.end(reason: .logout, tokensExpireBy: until), ended, Self.at(40)).events.isEmpty)
        #expect(Session.decide(.end(reason: .logout, tokensExpireBy: until), nil, Self.at(40)).refusal?.code == .unknown)
    }

    @Test("until never lies before the revocation itself")
    func untilNotInThePast() {
        let decision = Session.decide(.end(reason: .logout, tokensExpireBy: Self.t0), Session.fold([Self.started]), Self.at(60))
        #expect(decision.events.last == .revoked(SessionRevoked(
            sessionID: Self.sid, subject: Self.alice, reason: .logout, at: Self.t0.adding(.seconds(60)), until: Self.t0.adding(.seconds(60))
        )))
    }

    @Test("revoke keeps the recorded subject, is idempotent, and works for a session known only from its grants")
    func revoke() throws {
        let until = Self.t0.adding(.seconds(600))
        let state = Session.fold([Self.started])
        let decision = Session.decide(.revoke(Self.sid, subject: Subject("other"), reason: .admin, tokensExpireBy: until), state, Self.at(5))
        #expect(decision.events == [
            .revoked(SessionRevoked(sessionID: Self.sid, subject: Self.alice, reason: .admin, at: Self.t0.adding(.seconds(5)), until: until))
        ])
        let revoked = try #require(Session.fold(decision.events, from: state))
        #expect(!revoked.isActive)
        #expect(Session.decide(.revoke(Self.sid, subject: Self.alice, reason: .admin, tokensExpireBy: until), revoked, Self.at(6)).events.isEmpty)
        // Logging out a revoked session still records that it ended, without a second revocation.
        #expect(Session.decide(.end(reason: .logout, tokensExpireBy: until), revoked, Self.at(7)).events
            == [.ended(SessionEnded(sessionID: Self.sid, reason: .logout, at: Self.t0.adding(.seconds(7))))])

        let unknown = Session.decide(.revoke(SessionID("s9"), subject: Self.alice, reason: .admin, tokensExpireBy: until), nil, Self.at(5))
        #expect(unknown.events.count == 1)
        let known = try #require(Session.fold(unknown.events))
        #expect(known.subject == Self.alice && known.authTime == nil && !known.isActive)
    }

    @Test("evolve is total: an ended event without a start is ignored")
    func evolveTotal() {
        #expect(Session.evolve(nil, .ended(SessionEnded(sessionID: Self.sid, reason: .logout, at: Self.t0))) == nil)
    }

    @Test("the session limit evicts the oldest sessions beyond the maximum, ties broken by sid")
    func limit() {
        func session(_ id: String, _ seconds: Int64) -> Session {
            Session(sessionID: SessionID(id), subject: Self.alice, authTime: Self.t0.adding(.seconds(seconds)))
        }
        let active = [session("c", 30), session("a", 10), session("b", 10), session("d", 40)]
        #expect(SessionLimit.unlimited.evictions(among: active).isEmpty)
        #expect(SessionLimit(maxPerSubject: 4).evictions(among: active).isEmpty)
        #expect(SessionLimit(maxPerSubject: 2).evictions(among: active) == [SessionID("a"), SessionID("b")])
        #expect(SessionLimit(maxPerSubject: 1).evictions(among: active) == [SessionID("a"), SessionID("b"), SessionID("c")])
        #expect(SessionLimit(maxPerSubject: 0) == .unlimited)
        #expect(SessionLimit(maxPerSubject: 0).evictions(among: active).isEmpty)
    }
}

@Suite("OP session lifetimes: idle since the last sign-in, absolute since the login")
struct SessionLifetimeTests {
    static let login = Instant(milliseconds: 1_800_000_000_000)
    static let session = Session(sessionID: SessionID("s"), subject: Subject("alice"), authTime: login)
    static let lifetimes = SessionLifetimes(idle: .seconds(3600), absolute: .seconds(10 * 3600))

    @Test("alive until either limit; the absolute limit wins over recent activity; a session without a login never expires here")
    func expiry() {
        let l = Self.lifetimes
        #expect(l.expiry(of: Self.session, lastActivity: Self.login, at: Self.login.adding(.seconds(3599))) == nil)
        #expect(l.expiry(of: Self.session, lastActivity: Self.login, at: Self.login.adding(.seconds(3600))) == .sessionIdleTimeout)
        let busy = Self.login.adding(.seconds(9 * 3600 + 1800))
        #expect(l.expiry(of: Self.session, lastActivity: busy, at: busy.adding(.seconds(1800))) == .sessionAbsoluteTimeout)
        #expect(l.expiry(of: Self.session, lastActivity: Self.login.adding(.seconds(7200)), at: Self.login.adding(.seconds(9000))) == nil)
        let unknown = Session(sessionID: SessionID("r"), subject: Subject("bob"), authTime: nil)
        #expect(l.expiry(of: unknown, lastActivity: Self.login, at: Self.login.adding(.seconds(86400 * 30))) == nil)
        #expect(SessionLifetimes.standard == SessionLifetimes(idle: .seconds(8 * 3600), absolute: .seconds(7 * 86400)))
    }
}
