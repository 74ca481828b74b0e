import Foundation
import LedgerDomain
import Testing

@testable import LedgerBFF

@Suite("The BFF's session cache: serves only while it hears endings, never a copy that raced an ending")
struct SessionCacheTests {
    static let now: Int64 = 1_000_000

    static func loaded(_ name: String, subject: String = "alice", sid: String? = "s1", grant: String? = "g1", createdAt: Int64 = now - 10)
        -> SessionStore.Loaded
    {
        let session = BFFSession(
            accessToken: "at-" + name, accessTokenExpiresAt: now + 600, refreshToken: "rt-" + name, idToken: "idt", claims: [:],
            subject: subject, opSessionID: sid, grantID: grant, createdAt: createdAt, expiresAt: now + 3600
        )
        return SessionStore.Loaded(session: session, name: name, version: 1)
    }

    static func event(_ json: String) throws -> RevokedEvent {
        try JSONDecoder().decode(RevokedEvent.self, from: Data(json.utf8))
    }

    static func listening() -> SessionCache {
        let cache = SessionCache(capacity: 3, refreshAhead: .seconds(60))
        cache.hearsEndings(true)
        return cache
    }

    @Test("nothing is kept or served while the endings channel is down, and going down forgets every copy")
    func onlyWhileHearingEndings() {
        let cache = SessionCache(capacity: 3, refreshAhead: .seconds(60))
        cache.keep(Self.loaded("a"), readAt: cache.generation, now: Self.now)
        #expect(cache.session(named: "a", now: Self.now) == nil)
        cache.hearsEndings(true)
        cache.keep(Self.loaded("a"), readAt: cache.generation, now: Self.now)
        #expect(cache.session(named: "a", now: Self.now)?.session.accessToken == "at-a")
        cache.hearsEndings(false)
        cache.hearsEndings(true)
        #expect(cache.session(named: "a", now: Self.now) == nil)
    }

    @Test("a copy serves until its access token enters the refresh-ahead window")
    func servesUntilTheRefreshWindow() {
        let cache = Self.listening()
        cache.keep(Self.loaded("a"), readAt: cache.generation, now: Self.now)
        #expect(cache.session(named: "a", now: Self.now + 539) != nil)
        #expect(cache.session(named: "a", now: Self.now + 540) == nil)
        #expect(cache.session(named: "a", now: Self.now) == nil, "an outdated copy is dropped, not kept for later")
    }

    @Test("a read that raced an ending is not kept")
    func aReadRacingAnEndingIsNotKept() {
        let cache = Self.listening()
        let readAt = cache.generation
        cache.forget(name: "a")
        cache.keep(Self.loaded("a"), readAt: readAt, now: Self.now)
        #expect(cache.session(named: "a", now: Self.now) == nil)
        cache.keep(Self.loaded("a"), readAt: cache.generation, now: Self.now)
        #expect(cache.session(named: "a", now: Self.now) != nil)
    }

    @Test("a revocation forgets exactly the sessions it covers; not_before spares later logins; a token revocation none")
    func revocationsForgetCoveredSessions() throws {
        let cache = Self.listening()
        for loaded in [Self.loaded("old"), Self.loaded("new", sid: "s2", grant: "g2", createdAt: Self.now), Self.loaded("bob", subject: "bob", sid: "s3", grant: "g3")] {
            cache.keep(loaded, readAt: cache.generation, now: Self.now)
        }
        cache.forget(coveredBy: try Self.event(#"{"scope":"token","jti":"j","until":1,"reason":"admin"}"#), clientID: "bff")
        #expect(["old", "new", "bob"].allSatisfy { cache.session(named: $0, now: Self.now) != nil })
        cache.forget(coveredBy: try Self.event(#"{"scope":"subject","sub":"alice","not_before":\#(Self.now),"until":1,"reason":"admin"}"#), clientID: "bff")
        #expect(cache.session(named: "old", now: Self.now) == nil)
        #expect(cache.session(named: "new", now: Self.now) != nil)
        cache.forget(coveredBy: try Self.event(#"{"scope":"grant","grant_id":"g3","until":1,"reason":"admin"}"#), clientID: "bff")
        #expect(cache.session(named: "bob", now: Self.now) == nil)
        cache.forget(coveredBy: try Self.event(#"{"scope":"client","client_id":"other","until":1,"reason":"admin"}"#), clientID: "bff")
        #expect(cache.session(named: "new", now: Self.now) != nil)
        cache.forget(coveredBy: try Self.event(#"{"scope":"session","sid":"s2","until":1,"reason":"admin"}"#), clientID: "bff")
        #expect(cache.session(named: "new", now: Self.now) == nil)
    }

    @Test("a full cache drops outdated copies to make room, and keeps no more than its capacity")
    func capacity() {
        let cache = Self.listening()
        for name in ["a", "b", "c"] { cache.keep(Self.loaded(name), readAt: cache.generation, now: Self.now) }
        cache.keep(Self.loaded("d"), readAt: cache.generation, now: Self.now)
        #expect(cache.session(named: "d", now: Self.now) == nil)
        cache.keep(Self.loaded("d"), readAt: cache.generation, now: Self.now + 600)
        #expect(cache.session(named: "d", now: Self.now) == nil, "a copy already in its refresh window is not kept")
        var late = Self.loaded("d")
        late.session.accessTokenExpiresAt = Self.now + 1200
        cache.keep(late, readAt: cache.generation, now: Self.now + 600)
        #expect(cache.session(named: "d", now: Self.now + 600) != nil)
        #expect(cache.session(named: "a", now: Self.now) == nil)
    }
}
