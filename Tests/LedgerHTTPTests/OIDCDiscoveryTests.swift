import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// OIDC Discovery 1.0 §3 for the OpenID Connect layer.
@Suite("OIDC: discovery")
struct OIDCDiscoveryTests {
    @Test("the provider metadata has every member OIDC Discovery requires, the OIDC endpoints and the claims userinfo releases")
    func metadata() async throws {
        try await HTTPHarness.with { h in
            let doc = try await h.publicClient.executeRequest(uri: "/.well-known/openid-configuration", method: .get, headers: [:], body: nil).json
            for required in [
                "issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
                "subject_types_supported", "id_token_signing_alg_values_supported",
            ] {
                #expect(doc[required] != nil, "\(required)")
            }
            #expect(doc["userinfo_endpoint"] as? String == "https://issuer.test/userinfo")
            #expect(doc["end_session_endpoint"] as? String == "https://issuer.test/logout")
            #expect(doc["subject_types_supported"] as? [String] == ["public"])
            let scopes = Set(doc["scopes_supported"] as? [String] ?? [])
            #expect(scopes.isSuperset(of: ["openid", "profile", "email", "address", "phone", "offline_access"]))
            let claims = Set(doc["claims_supported"] as? [String] ?? [])
            #expect(claims.isSuperset(of: ["sub", "iss", "aud", "auth_time", "nonce", "sid", "at_hash", "azp", "name", "email", "email_verified", "locale"]))
            #expect(doc["claims_parameter_supported"] as? Bool == false)
            #expect(Set(doc["prompt_values_supported"] as? [String] ?? []) == ["none", "login"])
        }
    }
}
