import AsyncHTTPClient
import Foundation
import NIOCore
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

    @Test("a POST body reaches the upstream whole; over 1 MiB is 413 and nothing is sent")
    func requestBodies() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            let text = String(repeating: "0123456789abcdef", count: 40_000)  // 640,000 bytes
            let echoed = try await browser.post(f.bffURL + "/api/orders/echo", body: text, contentType: "text/plain", headers: [("X-CSRF", "1")])
            #expect(echoed.status == .ok)
            #expect(echoed.body == text)
            let calls = f.upstreamCalls.all.count
            let tooLarge = try await browser.post(
                f.bffURL + "/api/orders/echo", body: String(repeating: "x", count: (1 << 20) + 1), contentType: "text/plain", headers: [("X-CSRF", "1")]
            )
            #expect(tooLarge.status.code == 413)
            #expect(tooLarge.json["error"] as? String == "request_too_large")
            #expect(f.upstreamCalls.all.count == calls)
        }
    }

    @Test("a 3 MiB answer without a length streams back whole; a connection the upstream closes is replaced")
    func streamedAnswersAndClosedConnections() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            let large = try await browser.get(f.bffURL + "/api/orders/large?bytes=3145728", headers: [("X-CSRF", "1")])
            #expect(large.status == .ok)
            #expect(large.body.utf8.count == 3_145_728)
            #expect(large.body.utf8.allSatisfy { $0 == UInt8(ascii: "x") })
            for _ in 0..<3 {
                let closing = try await browser.get(f.bffURL + "/api/orders/close", headers: [("X-CSRF", "1")])
                #expect(closing.status == .ok)
                #expect(closing.body == "closing")
                #expect(try await browser.get(f.bffURL + "/api/orders/ping", headers: [("X-CSRF", "1")]).status == .ok)
            }
        }
    }

    @Test("server-sent events pass one by one: the first reaches the browser while the upstream still holds the second")
    func eventsStream() async throws {
        try await BFFFixture.with { f in
            let browser = try await f.signedInBrowser()
            var request = HTTPClientRequest(url: f.bffURL + "/api/orders/events")
            request.headers.add(name: "X-CSRF", value: "1")
            request.headers.add(name: "Cookie", value: "bff=" + (try #require(browser.cookies(for: f.bffURL)["bff"])))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            var parts = response.body.makeAsyncIterator()
            let first = try #require(try await parts.next())
            #expect(String(buffer: first) == "data: one\n\n")
            f.upstreamCalls.openGate()
            var rest = ""
            while let part = try await parts.next() { rest += String(buffer: part) }
            #expect(rest == "data: two\n\n")
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
