import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import Testing

/// The code flow with `openid` (OIDC Core §3.1): the ID token, checked against JWKS.
@Suite("OIDC: ID tokens from the code flow")
struct OIDCIDTokenTests {
    typealias F = AuthorizeFixtures
    typealias O = OIDCFixtures

    @Test(
        "full flow: state back unchanged; the ID token, signed with the client's registered algorithm (RS256 by default) whatever the access tokens', verifies against JWKS with iss, sub, aud, azp, nonce, auth_time, sid and at_hash",
        arguments: [("ES256", nil, "RS256"), ("ES256", "ES256", "ES256"), ("RS256", nil, "RS256"), ("EdDSA", "ES256", "ES256"), ("EdDSA", nil, "RS256")]
            as [(String, String?, String)]
    )
    func fullFlow(ringAlgorithm: String, registered: String?, algorithm: String) async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, algorithm: ringAlgorithm, users: F.users) { h in
            try await F.register(h, idTokenAlgorithm: registered)
            var browser = O.Browser()
            let (response, showedForm) = try await O.authorize(h, &browser)
            #expect(showedForm)
            #expect(response.status == .seeOther)
            let code = try O.code(response)
            let tokens = try await O.exchange(h, code)
            let accessToken = try #require(tokens["access_token"] as? String)
            let idToken = try #require(tokens["id_token"] as? String)
            #expect(tokens["refresh_token"] is String)

            let (header, _) = try TokenFixtures.jwtParts(idToken)
            #expect(header["alg"] as? String == algorithm)
            #expect(header["typ"] as? String == "JWT")
            let claims = try await O.verifiedIDToken(h, idToken)
            let now = h.services.now().seconds
            #expect(claims.iss == "https://issuer.test")
            #expect(claims.sub == "sub-alice")
            #expect(claims.aud == "spa")
            #expect(claims.azp == "spa")
            #expect(claims.nonce == F.nonce)
            #expect(claims.iat == now)
            #expect(claims.exp == now + 600)
            #expect(claims.authTime == now)
            #expect(claims.atHash == O.atHash(accessToken, algorithm: algorithm))
            let sid = try O.sid(browser)
            #expect(claims.sid == sid)
            // The access token of a browser login carries the same sid.
            #expect(try TokenFixtures.jwtParts(accessToken).claims["sid"] as? String == sid)

            // The log records the session start and the ID token's issue.
            #expect(try await O.eventTypes(h, stream: "session/\(sid)") == ["session.started"])
            let grant = try TokenFixtures.grantID(ofAccessToken: accessToken)
            #expect(try await O.eventTypes(h, stream: "grant/\(grant)").contains("grant.id_token.issued"))
        }
    }

    @Test("a refresh issues a new ID token: same sub, sid and auth_time, no nonce, at_hash of the new access token")
    func refreshIssuesIDToken() async throws {
        let clock = F.Clock()
        try await HTTPHarness.with(now: clock.now, users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            let first = try await O.signIn(h, &browser)
            let original = try await O.verifiedIDToken(h, try #require(first["id_token"] as? String))
            clock.advance(.seconds(30))
            let response = try await TokenFixtures.refresh(
                h, try #require(first["refresh_token"] as? String), as: TokenFixtures.TestClient(id: "spa", secret: nil)
            )
            #expect(response.status == .ok)
            let access = try #require(response.json["access_token"] as? String)
            let renewed = try await O.verifiedIDToken(h, try #require(response.json["id_token"] as? String))
            #expect(renewed.sub == original.sub && renewed.aud == original.aud && renewed.sid == original.sid)
            #expect(renewed.authTime == original.authTime)
            #expect(renewed.iat == original.iat + 30)
            #expect(renewed.nonce == nil)
            #expect(renewed.jti != original.jti)
            #expect(renewed.atHash == O.atHash(access, algorithm: "ES256"))
            let grant = try TokenFixtures.grantID(ofAccessToken: access)
            #expect(try await O.eventTypes(h, stream: "grant/\(grant)").filter { $0 == "grant.id_token.issued" }.count == 2)
        }
    }

    @Test("the session start records hashed IP and user agent, never the values; the cookie is HttpOnly, SameSite=Lax, Secure")
    func sessionStartMetadata() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            _ = try await O.signIn(h, &browser)
            let cookie = try #require(browser.attributes[O.sessionCookie])
            #expect(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Secure") && cookie.contains("; Path=/"))
            let sid = try O.sid(browser)
            #expect(sid.count == 43)
            let rows = try await h.ledger.admin.query(
                "SELECT metadata::text FROM events WHERE stream_id = \("session/" + sid)", logger: h.services.logger
            )
            var metadata: [String] = []
            for try await text in rows.decode(String.self) { metadata.append(text) }
            let text = try #require(metadata.first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(json["actor"] as? String == "user:sub-alice")
            #expect(json["client_id"] as? String == "spa")
            // A keyed digest (HMAC under the fingerprint key), not the reversible plain SHA-256.
            let unkeyed = SHA256.hash(data: Data(browser.userAgent.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(json["ua_hash"] as? String == h.services.fingerprints.digest(browser.userAgent))
            #expect(json["ua_hash"] as? String != unkeyed)
            #expect(!text.contains(browser.userAgent))
            #expect(json.keys.allSatisfy { ["actor", "client_id", "request_id", "ip_hash", "ua_hash"].contains($0) })
        }
    }

    @Test("without openid there is no ID token; a forged cookie is no session")
    func noOpenID() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h)
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser, scope: "profile offline_access")
            #expect(tokens["access_token"] is String)
            #expect(tokens["id_token"] == nil)

            // A cookie naming the same sid with a wrong MAC does not sign anyone in.
            var forged = O.Browser()
            forged.cookies[O.sessionCookie] = try O.sid(browser) + "." + String(repeating: "A", count: 43)
            let (response, showedForm) = try await O.authorize(h, &forged, F.parameters(["prompt": "none"]))
            #expect(!showedForm)
            #expect(try F.location(response).items["error"] == "login_required")
        }
    }

    @Test("an ID token never carries alg none or HS*; a hint signed with HS256 is refused at logout")
    func neverNoneOrHMAC() async throws {
        try await HTTPHarness.with(users: F.users) { h in
            try await F.register(h, postLogoutRedirectURIs: [O.postLogoutURI])
            var browser = O.Browser()
            let tokens = try await O.signIn(h, &browser)
            let idToken = try #require(tokens["id_token"] as? String)
            let alg = try #require(try TokenFixtures.jwtParts(idToken).header["alg"] as? String)
            #expect(["ES256", "RS256", "EdDSA"].contains(alg))

            // The same claims re-signed with "none" and with HS256 are not accepted as hints.
            let payload = String(idToken.split(separator: ".")[1])
            for header in [#"{"alg":"none","typ":"JWT"}"#, #"{"alg":"HS256","typ":"JWT"}"#] {
                let forged = TokenFixtures.base64URL(Data(header.utf8)) + "." + payload + "." + TokenFixtures.base64URL(Data("x".utf8))
                let uri = "/logout?id_token_hint=\(forged)&post_logout_redirect_uri=\(formEncode(O.postLogoutURI))"
                let response = try await browser.get(h, uri)
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
            }
            #expect(browser.cookies[O.sessionCookie] != nil)
        }
    }
}
