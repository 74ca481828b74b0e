import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerHTTP
import Testing

@Suite("Per-client rate limits on /token, /introspect and /revoke")
struct ClientRateLimitTests {
    @Test("a bucket per client: the burst at once, then the rate; another client is not affected")
    func buckets() {
        let limiter = ClientRateLimiter(policy: .init(rate: 10, burst: 3))
        let start = ContinuousClock.now
        for _ in 0..<3 { #expect(limiter.admit("a", now: start) == nil) }
        #expect(limiter.admit("a", now: start) == .milliseconds(100))
        #expect(limiter.admit("b", now: start) == nil)
        #expect(limiter.admit("a", now: start + .milliseconds(100)) == nil)
        #expect(limiter.admit("a", now: start + .milliseconds(100)) != nil)
    }

    @Test("over the limit: 429 temporarily_unavailable with Retry-After, and nothing appended; other endpoints share the budget")
    func refusedRequestsAppendNothing() async throws {
        try await HTTPHarness.with(clientRateLimit: .init(rate: 0.001, burst: 2)) { h in
            let client = try await TokenFixtures.register(h, grantTypes: ["client_credentials"], scope: "api:read")
            for _ in 0..<2 {
                #expect(try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client).status == .ok)
            }
            let before = try await AdminFixtures.head(h)
            let refused = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.oauthErrorCode == "temporarily_unavailable")
            #expect(refused.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            #expect(try await AdminFixtures.head(h) == before)
            let revoke = try await TokenFixtures.post(h, "/revoke", ["token": "anything"], as: client)
            #expect(revoke.status == .tooManyRequests)
            let other = try await TokenFixtures.register(h, grantTypes: ["client_credentials"], scope: "api:read")
            #expect(try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: other).status == .ok)
        }
    }
}
