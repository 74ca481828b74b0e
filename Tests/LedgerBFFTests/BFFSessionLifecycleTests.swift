import AsyncHTTPClient
import Hummingbird
import ServiceLifecycle
import Foundation
import Logging
import NIOCore
import LedgerTesting
import Testing

@testable import LedgerBFF

@Suite("BFF sessions: one refresh per session, ended by logout and at once by revocations")
struct BFFSessionLifecycleTests {
    @Test("50 concurrent API calls across an expiring access token: exactly one refresh, all 50 succeed")
    func oneRefreshForABurst() async throws {
        // The stored access token expires in 30 s, inside the 60 s refresh-ahead window: every call
        // needs a fresh one, and the fresh one (600 s) is outside the window for minutes, however
        // slowly a loaded machine runs the 50 calls.
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            #expect(try await f.events("grant.refresh_token.rotated") == 0)
            try await f.expireAccessToken(of: browser, inSeconds: 30)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask { Int(try await browser.get(f.bffURL + "/api/orders/item/\(index)", headers: [("X-CSRF", "1")]).status.code) }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses == Array(repeating: 200, count: 50))
            #expect(try await f.events("grant.refresh_token.rotated") == 1)
            #expect(try await f.events("grant.reuse_detected") == 0)
            #expect(Set(f.upstreamCalls.all.compactMap(\.authorization)).count == 1)
        }
    }

    @Test("two BFF replicas over one Redis: 20 calls across an expiring access token, split between them, refresh once")
    func oneRefreshAcrossReplicas() async throws {
        try await BFFFixture.with { f in
            try await f.withReplica { _, replicaURL in
                let browser = try await f.signedInBrowser()
                browser.setCookie("bff", try #require(browser.cookies(for: f.bffURL)["bff"]), for: replicaURL)
                try await f.expireAccessToken(of: browser, inSeconds: 30)
                let statuses = try await withThrowingTaskGroup(of: Int.self) { calls in
                    for index in 0..<20 {
                        let base = index.isMultiple(of: 2) ? f.bffURL : replicaURL
                        calls.addTask { Int(try await browser.get(base + "/api/orders/item/\(index)", headers: [("X-CSRF", "1")]).status.code) }
                    }
                    var all: [Int] = []
                    for try await status in calls { all.append(status) }
                    return all
                }
                #expect(statuses == Array(repeating: 200, count: 20))
                #expect(try await f.events("grant.refresh_token.rotated") == 1)
                #expect(try await f.events("grant.reuse_detected") == 0)
            }
        }
    }

    @Test("a logout on one replica ends the session at once on another that serves it from its cache")
    func logoutEndsOtherReplicasCopies() async throws {
        try await BFFFixture.with { f in
            try await f.withReplica { replica, replicaURL in
                let browser = try await f.signedInBrowser()
                let sessionID = try #require(browser.cookies(for: f.bffURL)["bff"])
                browser.setCookie("bff", sessionID, for: replicaURL)
                let name = replica.store.name(ofSession: sessionID)
                // The replica keeps a copy once its endings channel and revocation view are live.
                let started = ContinuousClock.now
                while replica.store.cache.session(named: name, now: BFF.now) == nil, ContinuousClock.now - started < .seconds(10) {
                    #expect(try await browser.get(replicaURL + "/api/orders/ping", headers: [("X-CSRF", "1")]).status == .ok)
                    try await Task.sleep(for: .milliseconds(50))
                }
                try #require(replica.store.cache.session(named: name, now: BFF.now) != nil, "the replica never cached the session")

                let logout = try await browser.post(f.bffURL + "/bff/logout", headers: [("X-CSRF", "1")])
                #expect(logout.status == .seeOther)
                let loggedOut = ContinuousClock.now
                while replica.store.cache.session(named: name, now: BFF.now) != nil, ContinuousClock.now - loggedOut < .seconds(5) {
                    try await Task.sleep(for: .milliseconds(1))
                }
                let elapsed = ContinuousClock.now - loggedOut
                // 100 ms is the target, measured by `tokenledger-bench bff`; inside the whole suite,
                // with every other test on the same two cores, the bound is 2 s (627 ms seen in a CI run).
                #expect(elapsed < .seconds(2), "the replica forgot its copy \(elapsed) after the logout answered")
                browser.setCookie("bff", sessionID, for: replicaURL)
                #expect(try await browser.get(replicaURL + "/api/orders/ping", headers: [("X-CSRF", "1")]).status == .unauthorized)
            }
        }
    }

    @Test("logout needs X-CSRF or the form token; then the refresh token is inactive, the session gone and the browser sent to end_session")
    func logout() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            let sessionID = try #require(browser.cookies(for: f.bffURL)["bff"])
            let loaded = try #require(try await f.bff.store.load(sessionID: sessionID))
            let refreshToken = try #require(loaded.session.refreshToken)
            #expect(try await f.introspect(refreshToken)["active"] as? Bool == true)

            let forged = try await browser.post(f.bffURL + "/bff/logout", form: [("csrf", "forged")])
            #expect(forged.status == .unauthorized)
            #expect(try await f.bff.store.load(sessionID: sessionID) != nil)

            let csrf = try #require(try await browser.get(f.bffURL + "/bff/user").json["logout_csrf"] as? String)
            let out = try await browser.post(f.bffURL + "/bff/logout", form: [("csrf", csrf)])
            #expect(out.status == .seeOther)
            let location = try #require(out.location)
            #expect(location.hasPrefix(f.stack.issuerURL + "/logout?id_token_hint=eyJ"))
            #expect(location.contains("post_logout_redirect_uri=" + Browser.encode(f.bffURL + "/")))
            #expect(out.setCookies == ["bff=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"])
            #expect(try await f.bff.store.load(sessionID: sessionID) == nil)
            #expect(try await f.introspect(refreshToken)["active"] as? Bool == false)
            #expect(try await browser.get(f.bffURL + "/bff/user").status == .unauthorized)
        }
    }

    @Test("a revocation through the admin API ends the BFF session at once", arguments: ["subject", "session", "grant"])
    func revocationEndsTheSession(scope: String) async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            let sessionID = try #require(browser.cookies(for: f.bffURL)["bff"])
            let loaded = try #require(try await f.bff.store.load(sessionID: sessionID))
            let identifier: String =
                switch scope {
                case "subject": loaded.session.subject
                case "session": try #require(loaded.session.opSessionID)
                default: try #require(loaded.session.grantID)
                }
            let key = f.sessionKey(loaded.name)
            #expect(try await f.redisHas(key))
            // A call first, so the BFF also holds the session in its cache.
            while f.bff.store.cache.session(named: loaded.name, now: BFF.now) == nil {
                #expect(try await browser.get(f.bffURL + "/bff/user").status == .ok)
                try await Task.sleep(for: .milliseconds(50))
            }
            try await f.adminRevoke([scope: identifier])
            let revokedAt = ContinuousClock.now
            while try await f.redisHas(key) || f.bff.store.cache.session(named: loaded.name, now: BFF.now) != nil,
                ContinuousClock.now - revokedAt < .seconds(5)
            {
                try await Task.sleep(for: .milliseconds(1))
            }
            let elapsed = ContinuousClock.now - revokedAt
            // 100 ms is the target, measured by `tokenledger-bench bff` (docs/bff.md#measured); inside
            // the whole suite, with every other test on the same two cores, the bound is 2 s (627 ms
            // seen in a CI run).
            #expect(elapsed < .seconds(2), "session ended \(elapsed) after the revocation answered")
            #expect(try await browser.get(f.bffURL + "/bff/user").status == .unauthorized)
        }
    }
}

extension BFFFixture {
    /// RFC 7662 introspection of `token` with the BFF's own client.
    func introspect(_ token: String) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: stack.publicURL + "/introspect")
        request.method = .POST
        let credentials = bff.configuration.clientID + ":" + bff.configuration.clientSecret
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: "token=" + Browser.encode(token)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (try JSONSerialization.jsonObject(with: Data(buffer: try await response.body.collect(upTo: 1 << 20)))) as? [String: Any] ?? [:]
    }

    /// `POST /admin/revocations` with `body`.
    func adminRevoke(_ body: [String: String]) async throws {
        let json = String(decoding: try JSONEncoder().encode(body), as: UTF8.self)
        let (status, _) = try await stack.admin("/admin/revocations", json: json)
        guard status == 200 else { throw BFFTestError("revocation answered \(status)") }
    }
}
