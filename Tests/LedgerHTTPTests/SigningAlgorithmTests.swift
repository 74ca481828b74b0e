import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerHTTP
import Testing
import LedgerService

@Suite("Selectable signing algorithms")
struct SigningAlgorithmTests {
    @Test("keys of each allowed algorithm sign access tokens that introspect active and are published in JWKS", arguments: [
        ("ES256", "EC"), ("RS256", "RSA"), ("EdDSA", "OKP"),
    ])
    func algorithm(_ algorithm: String, keyType: String) async throws {
        try await HTTPHarness.with(algorithm: algorithm) { h in
            let client = try await TokenFixtures.register(h, id: "svc-\(algorithm.lowercased())")
            let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            #expect(response.status == .ok)
            let token = try #require(response.json["access_token"] as? String)
            let (header, _) = try TokenFixtures.jwtParts(token)
            #expect(header["alg"] as? String == algorithm)
            #expect(header["typ"] as? String == "at+jwt")
            #expect(try await TokenFixtures.introspect(h, token, as: client)["active"] as? Bool == true)

            let jwks = try await h.publicClient.executeRequest(uri: "/jwks.json", method: .get, headers: [:], body: nil)
            let keys = try #require(jwks.json["keys"] as? [[String: Any]])
            let signing = try #require(keys.first { $0["kid"] as? String == header["kid"] as? String })
            #expect(signing["kty"] as? String == keyType)
            // Beside it, the ID tokens' RS256 and ES256 keys (one key when it is one of them).
            #expect(Set(keys.compactMap { $0["alg"] as? String }) == Set([algorithm, "RS256", "ES256"]))
            #expect(keys.count == Set([algorithm, "RS256", "ES256"]).count)
        }
    }

    @Test("an algorithm outside ES256/RS256/EdDSA is refused when a key is generated", arguments: ["HS256", "none", "ES384"])
    func refusedAlgorithm(_ algorithm: String) throws {
        #expect(throws: JOSEError.self) { try SigningKeyMaterial.generate(algorithm) }
    }
}
