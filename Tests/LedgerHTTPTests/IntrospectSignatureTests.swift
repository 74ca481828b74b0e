import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing

@Suite("POST /introspect and /revoke: only our signatures (I7)")
struct IntrospectSignatureTests {
    /// Re-signs the claims of `token` under a header of our choosing: unsigned for `none`,
    /// HMAC-SHA256 with a random key for `HS256`.
    static func forge(_ token: String, alg: String) -> String {
        let segments = token.split(separator: ".").map(String.init)
        let headerJSON = try? JSONSerialization.data(withJSONObject: ["alg": alg, "typ": "at+jwt", "kid": kid(of: token)])
        let header = TokenFixtures.base64URL(headerJSON ?? Data())
        let input = header + "." + segments[1]
        guard alg == "HS256" else { return input + "." }
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(size: .bits256))
        return input + "." + TokenFixtures.base64URL(Data(mac))
    }

    static func kid(of token: String) -> String {
        ((try? TokenFixtures.jwtParts(token))?.header["kid"] as? String) ?? ""
    }

    @Test("tokens with alg none or HS256 under our kid are inactive and cannot be revoked", arguments: ["none", "HS256"])
    func forgedAlgorithms(_ alg: String) async throws {
        try await HTTPHarness.with { h in
            let (client, _, access, _) = try await TokenRefreshTests.start(h)
            let forged = Self.forge(access, alg: alg)
            #expect(try await TokenFixtures.introspect(h, forged, as: client) as NSDictionary == ["active": false])
            let before = try await TokenFixtures.eventCount(h)
            #expect(try await TokenFixtures.post(h, "/revoke", ["token": forged], as: client).status == .ok)
            #expect(try await TokenFixtures.eventCount(h) == before)
            #expect(try await TokenFixtures.introspect(h, access, as: client)["active"] as? Bool == true)
        }
    }

    @Test("after a key rotation, tokens of the retired key still introspect and revoke")
    func retiredKey() async throws {
        try await HTTPHarness.with { h in
            let (client, _, access, refresh) = try await TokenRefreshTests.start(h)
            let oldKid = Self.kid(of: access)
            try await h.services.keys.rotate()
            let newKid = try #require(await h.services.keys.signingKeyID?.rawValue)
            #expect(newKid != oldKid)
            let rotated = try await TokenFixtures.refresh(h, refresh, as: client)
            #expect(Self.kid(of: try #require(rotated.json["access_token"] as? String)) == newKid)
            #expect(try await TokenFixtures.introspect(h, access, as: client)["active"] as? Bool == true)
            #expect(try await TokenFixtures.post(h, "/revoke", ["token": access], as: client).status == .ok)
            #expect(try await TokenFixtures.introspect(h, access, as: client) as NSDictionary == ["active": false])
        }
    }
}
