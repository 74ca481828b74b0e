import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing

@Suite("POST /revoke")
struct RevokeTests {
    @Test("revoking a refresh token revokes its grant: refresh and access tokens introspect inactive")
    func refreshToken() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, access, refresh) = try await TokenRefreshTests.start(h)
            let response = try await TokenFixtures.post(h, "/revoke", ["token": refresh, "token_type_hint": "refresh_token"], as: client)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
            let state = try await TokenFixtures.grant(h, grant)
            #expect(state.status == .revoked)
            #expect(state.revocationReason == .holderRequest)
            #expect(try await TokenFixtures.introspect(h, refresh, as: client) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.introspect(h, access, as: client) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.refresh(h, refresh, as: client).oauthErrorCode == "invalid_grant")
        }
    }

    @Test("revoking an access token deny-lists it alone; the refresh token stays active")
    func accessToken() async throws {
        try await HTTPHarness.with { h in
            let (client, grant, access, refresh) = try await TokenRefreshTests.start(h)
            let response = try await TokenFixtures.post(h, "/revoke", ["token": access], as: client)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
            #expect(try await TokenFixtures.introspect(h, access, as: client) as NSDictionary == ["active": false])
            #expect(try await TokenFixtures.introspect(h, refresh, as: client)["active"] as? Bool == true)
            #expect(try await TokenFixtures.grant(h, grant).status == .active)
            #expect(try await TokenFixtures.refresh(h, refresh, as: client).status == .ok)
        }
    }

    @Test("revocation is idempotent (RFC 7009): revoking an access token or a refresh token again appends nothing")
    func idempotent() async throws {
        try await HTTPHarness.with { h in
            let (client, _, access, refresh) = try await TokenRefreshTests.start(h)
            #expect(try await TokenFixtures.post(h, "/revoke", ["token": access], as: client).status == .ok)
            let afterFirst = try await TokenFixtures.eventCount(h)
            for _ in 0..<4 { #expect(try await TokenFixtures.post(h, "/revoke", ["token": access], as: client).status == .ok) }
            #expect(try await TokenFixtures.eventCount(h) == afterFirst)
            #expect(try await TokenFixtures.post(h, "/revoke", ["token": refresh], as: client).status == .ok)
            let afterGrant = try await TokenFixtures.eventCount(h)
            #expect(afterGrant == afterFirst + 1)
            for _ in 0..<4 { #expect(try await TokenFixtures.post(h, "/revoke", ["token": refresh], as: client).status == .ok) }
            #expect(try await TokenFixtures.eventCount(h) == afterGrant)
        }
    }

    @Test("any method but POST on /token, /revoke and /introspect is 405 with Allow: POST", arguments: ["/token", "/revoke", "/introspect"])
    func methodNotAllowed(path: String) async throws {
        try await HTTPHarness.with { h in
            for method in [HTTPRequest.Method.get, .put, .delete] {
                let response = try await h.publicClient.executeRequest(uri: path, method: method, headers: [:], body: nil)
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(response.json["error"] as? String == "invalid_request")
            }
        }
    }

    @Test("unknown, malformed and other clients' tokens get an empty 200 and change nothing")
    func unknownOrForeign() async throws {
        try await HTTPHarness.with { h in
            let (owner, grant, access, refresh) = try await TokenRefreshTests.start(h)
            let other = try await TokenFixtures.register(h)
            let before = try await TokenFixtures.eventCount(h)
            for token in ["unknown-token", "a.b.c", access, refresh] {
                let response = try await TokenFixtures.post(h, "/revoke", ["token": token], as: other)
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
            }
            #expect(try await TokenFixtures.eventCount(h) == before)
            #expect(try await TokenFixtures.grant(h, grant).status == .active)
            #expect(try await TokenFixtures.introspect(h, access, as: owner)["active"] as? Bool == true)
        }
    }

    @Test("a token signed by a key that is not ours is ignored")
    func foreignSignature() async throws {
        try await HTTPHarness.with { h in
            let (client, _, access, _) = try await TokenRefreshTests.start(h)
            var segments = access.split(separator: ".").map(String.init)
            segments[2] = String(segments[2].reversed())
            let forged = segments.joined(separator: ".")
            let before = try await TokenFixtures.eventCount(h)
            #expect(try await TokenFixtures.post(h, "/revoke", ["token": forged], as: client).status == .ok)
            #expect(try await TokenFixtures.eventCount(h) == before)
            #expect(try await TokenFixtures.introspect(h, forged, as: client) as NSDictionary == ["active": false])
        }
    }

    @Test("revocation requires client authentication and a token")
    func authentication() async throws {
        try await HTTPHarness.with { h in
            let (client, _, access, _) = try await TokenRefreshTests.start(h)
            let anonymous = try await h.publicClient.postForm("/revoke", [("token", access)])
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.oauthErrorCode == "invalid_client")
            let missing = try await TokenFixtures.post(h, "/revoke", [:], as: client)
            #expect(missing.status == .badRequest)
            #expect(missing.oauthErrorCode == "invalid_request")
        }
    }
}
