import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

/// `POST /authorize`: the login form's submission. A code only for the right password, a
/// matching CSRF token and an intact, fresh request; failures re-render or refuse and never
/// write an event.
@Suite("Login: submitting the form")
struct LoginTests {
    typealias F = AuthorizeFixtures

    @Test("a wrong password or unknown user re-renders the form with one generic message; no code, no event")
    func wrongPassword() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let form = try await F.openLogin(h)
            let before = try await F.eventCount(h)
            let wrong = try await F.submit(h, form, password: "wonderland!")
            let unknown = try await F.submit(h, form, username: "mallory")
            for response in [wrong, unknown] {
                #expect(response.status == .ok)
                #expect(response.headers[.location] == nil)
                #expect(response.text.contains("Invalid username or password."))
                #expect(response.text.contains(#"<form method="post" action="/authorize">"#))
                #expect(F.hiddenInput("request", in: response.text) == form.request)
                #expect(!response.text.contains("wonderland"))
                #expect(response.headers[.cacheControl] == "no-store")
            }
            // Same message whichever field was wrong (only the echoed username differs).
            #expect(wrong.text.replacingOccurrences(of: "alice", with: "mallory") == unknown.text)
            #expect(try await F.eventCount(h) == before)
            // The same form still works with the right password.
            #expect(try await F.submit(h, form).status == .seeOther)
        }
    }

    @Test("CSRF: another browser's cookie, no cookie, or a forged token → 400, no code")
    func csrfMismatch() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let victim = try await F.openLogin(h)
            let attacker = try await F.openLogin(h)
            #expect(victim.cookie != attacker.cookie)
            let mismatches = [
                try await F.submit(h, victim, cookie: attacker.cookie),
                try await h.publicClient.postForm(
                    "/authorize", [("request", victim.request), ("csrf", victim.csrf), ("username", "alice"), ("password", F.password)]
                ),
                try await F.submit(h, F.LoginForm(request: victim.request, csrf: attacker.csrf, cookie: victim.cookie)),
                try await F.submit(h, F.LoginForm(request: victim.request, csrf: String(repeating: "A", count: 43), cookie: victim.cookie)),
            ]
            for response in mismatches {
                AuthorizeRefusalTests.expectPage(response)
            }
            #expect(try await F.grantEventCount(h) == 0)
        }
    }

    @Test("a browser keeps its cookie across tabs: both forms work")
    func twoTabs() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let first = try await F.openLogin(h)
            let second = try await F.openLogin(h, cookie: first.cookie)
            #expect(second.cookie == first.cookie)
            #expect(try await F.submit(h, first).status == .seeOther)
            #expect(try await F.submit(h, second).status == .seeOther)
        }
    }

    @Test("a tampered, foreign or expired request → 400 page, no code")
    func sealedRequest() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            var form = try await F.openLogin(h)
            let original = form.request
            var bytes = Array(original.utf8)
            bytes[20] = bytes[20] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            form.request = String(decoding: bytes, as: UTF8.self)
            AuthorizeRefusalTests.expectPage(try await F.submit(h, form))
            form.request = "not-a-request"
            AuthorizeRefusalTests.expectPage(try await F.submit(h, form))

            form.request = original
            clock.advance(.seconds(601))
            let expired = try await F.submit(h, form)
            AuthorizeRefusalTests.expectPage(expired)
            #expect(expired.text.contains("expired"))
            #expect(try await F.grantEventCount(h) == 0)
        }
    }

    @Test("a client deleted while the form was open gets no code")
    func clientDeletedMeanwhile() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let form = try await F.openLogin(h)
            _ = try await h.services.clients.execute(
                .deactivate(reason: .admin, tokensExpireBy: h.services.now()), on: ClientID("spa"),
                context: DecisionContext(now: h.services.now()), metadata: EventMetadata(actor: "test")
            )
            AuthorizeRefusalTests.expectPage(try await F.submit(h, form))
            #expect(try await F.grantEventCount(h) == 0)
        }
    }

    @Test("a repeated form field or the wrong content type → 400 page")
    func malformedForm() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            let form = try await F.openLogin(h)
            let repeated = try await h.publicClient.postForm(
                "/authorize",
                [("request", form.request), ("csrf", form.csrf), ("username", "alice"), ("username", "bob"), ("password", F.password)],
                headers: [.cookie: form.cookie]
            )
            AuthorizeRefusalTests.expectPage(repeated)
            let json = try await h.publicClient.executeRequest(
                uri: "/authorize", method: .post, headers: [.contentType: "application/json", .cookie: form.cookie],
                body: ByteBuffer(string: #"{"username":"alice"}"#)
            )
            AuthorizeRefusalTests.expectPage(json)
            #expect(try await F.grantEventCount(h) == 0)
        }
    }

    @Test("after 5 failures a username is locked out (429) even with the right password; the delay grows")
    func throttle() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            let form = try await F.openLogin(h)
            for _ in 0..<5 {
                #expect(try await F.submit(h, form, password: "guess").status == .ok)
            }
            let locked = try await F.submit(h, form)
            AuthorizeRefusalTests.expectPage(locked, status: .tooManyRequests)
            #expect(locked.headers[.retryAfter] == "60")
            // Case variants share the lock; other users do not.
            AuthorizeRefusalTests.expectPage(try await F.submit(h, form, username: "ALICE"), status: .tooManyRequests)
            #expect(try await F.submit(h, form, username: "bob").status == .seeOther)
            #expect(try await F.grantEventCount(h) == 2)

            clock.advance(.seconds(61))
            for _ in 0..<5 {
                #expect(try await F.submit(h, form, password: "guess").status == .ok)
            }
            let again = try await F.submit(h, form)
            AuthorizeRefusalTests.expectPage(again, status: .tooManyRequests)
            #expect(again.headers[.retryAfter] == "120")
            clock.advance(.seconds(61))
            #expect(try await F.submit(h, form).status == .tooManyRequests)
            clock.advance(.seconds(60))
            #expect(try await F.submit(h, form).status == .seeOther)
            #expect(try await F.grantEventCount(h) == 4)
        }
    }
}
