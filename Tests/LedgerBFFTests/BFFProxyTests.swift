import Foundation
import LedgerTesting
import Testing

@testable import LedgerBFF

@Suite("BFF API proxy: X-CSRF on every call, Bearer attached, the browser's credentials never forwarded")
struct BFFProxyTests {
    @Test("without X-CSRF every method is 401 and nothing reaches the upstream; with it the upstream sees only the Bearer token")
    func csrfAndHeaders() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            for page in [try await browser.get(f.bffURL + "/api/orders/list"), try await browser.post(f.bffURL + "/api/orders/list", form: [("a", "b")])] {
                #expect(page.status == .unauthorized)
                #expect(page.json["error"] as? String == "csrf_required")
            }
            #expect(f.upstreamCalls.all.isEmpty)

            let answer = try await browser.get(
                f.bffURL + "/api/orders/list/7?page=2", headers: [("X-CSRF", "1"), ("Authorization", "Bearer smuggled")]
            )
            #expect(answer.status == .ok)
            #expect(answer.json["path"] as? String == "/v1/list/7")
            #expect(answer.setCookies.isEmpty)
            let call = try #require(f.upstreamCalls.all.last)
            #expect(call.path == "/v1/list/7")
            #expect(call.authorization?.hasPrefix("Bearer eyJ") == true)
            #expect(call.authorization != "Bearer smuggled")
            #expect(call.cookie == nil)
            #expect(call.csrf == nil)
        }
    }

    @Test("unknown APIs and dot segments are 404; a signed-out browser gets 401 JSON, never a redirect")
    func refusals() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            for path in ["/api/payments/x", "/api/orders/../admin", "/api/orders/%2e%2e/admin", "/api/orders/a/./b"] {
                let page = try await browser.get(f.bffURL + path, headers: [("X-CSRF", "1")])
                #expect(page.status == .notFound, "\(path)")
            }
            let signedOut = try await Browser().get(f.bffURL + "/api/orders/list", headers: [("X-CSRF", "1")])
            #expect(signedOut.status == .unauthorized)
            #expect(signedOut.json["error"] as? String == "unauthenticated")
            #expect(signedOut.location == nil)
            #expect(f.upstreamCalls.all.isEmpty)
        }
    }

    @Test("dot segments are found raw and percent-encoded")
    func restOfPath() {
        #expect(APIProxy.rest(of: "/api/orders/list/7", name: "orders") == "/list/7")
        #expect(APIProxy.rest(of: "/api/orders", name: "orders") == "/")
        #expect(APIProxy.rest(of: "/api/ordersx/1", name: "orders") == nil)
        #expect(APIProxy.rest(of: "/api/orders/%2E%2E/x", name: "orders") == nil)
        #expect(APIProxy.rest(of: "/api/orders/.%2e/x", name: "orders") == nil)
        #expect(APIProxy.join("http://u/v1/", "/a") == "http://u/v1/a")
    }
}
