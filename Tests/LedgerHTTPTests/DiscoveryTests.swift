import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Discovery and JWKS")
struct DiscoveryTests {
    @Test("both discovery documents list the endpoints, S256 only, and never none/HS*")
    func discovery() async throws {
        try await HTTPHarness.with { h in
            for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
                let response = try await h.publicClient.executeRequest(uri: path, method: .get, headers: [:], body: nil)
                #expect(response.status == .ok)
                let doc = response.json
                #expect(doc["issuer"] as? String == "https://issuer.test")
                #expect(doc["token_endpoint"] as? String == "https://issuer.test/token")
                #expect(doc["jwks_uri"] as? String == "https://issuer.test/jwks.json")
                #expect(doc["code_challenge_methods_supported"] as? [String] == ["S256"])
                #expect(doc["response_types_supported"] as? [String] == ["code"])
                let algs = doc["id_token_signing_alg_values_supported"] as? [String] ?? []
                #expect(algs == ["RS256", "ES256"], "the algorithms the ring keeps a key of; RS256, the registration default, first")
            }
        }
    }

    @Test("JWKS publishes the active ES256 and RS256 keys with their kids and no private part")
    func jwks() async throws {
        try await HTTPHarness.with { h in
            let response = try await h.publicClient.executeRequest(uri: "/jwks.json", method: .get, headers: [:], body: nil)
            #expect(response.status == .ok)
            let keys = try #require(response.json["keys"] as? [[String: Any]])
            #expect(keys.count == 2)
            let kid = await h.services.keys.signingKeyID
            let accessKey = try #require(keys.first { $0["kid"] as? String == kid?.rawValue })
            #expect(accessKey["alg"] as? String == "ES256")
            #expect(accessKey["kty"] as? String == "EC")
            #expect(Set(keys.compactMap { $0["alg"] as? String }) == ["ES256", "RS256"])
            for key in keys { #expect(key["d"] == nil && key["p"] == nil && key["q"] == nil) }
        }
    }
}
