import LedgerService
import Foundation
import Hummingbird

/// `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server` (OIDC
/// Discovery 1.0, RFC 8414) and `/jwks.json`.
package enum DiscoveryRoutes {
    /// Adds the routes.
    package static func add(to router: Router<PublicRequestContext>, _ services: LedgerServices) {
        let document = metadata(issuer: services.issuer)
        router.get("/.well-known/openid-configuration") { _, _ in json(document, cache: "public, max-age=300") }
        router.get("/.well-known/oauth-authorization-server") { _, _ in json(document, cache: "public, max-age=300") }
        router.get("/jwks.json") { _, _ in
            json(Data(await services.keys.jwksJSON().utf8), cache: "public, max-age=60")
        }
    }

    /// The provider metadata document.
    static func metadata(issuer: String) -> Data {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let document: [String: any Sendable] = [
            "issuer": issuer,
            "authorization_endpoint": base + "/authorize",
            "token_endpoint": base + "/token",
            "revocation_endpoint": base + "/revoke",
            "introspection_endpoint": base + "/introspect",
            "userinfo_endpoint": base + "/userinfo",
            "end_session_endpoint": base + "/logout",
            "jwks_uri": base + "/jwks.json",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": KeyRing.idTokenAlgorithms,
            "scopes_supported": ["openid"] + ClaimRelease.claimsByScope.keys.sorted() + ["offline_access", "revocations:read"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "at_hash", "azp", "jti"]
                + ClaimRelease.claimsByScope.values.flatMap { $0 }.sorted(),
            "claims_parameter_supported": false,
            "prompt_values_supported": ["none", "login"],
            "frontchannel_logout_supported": false,
            "backchannel_logout_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "require_request_uri_registration": false,
            "authorization_response_iss_parameter_supported": true,
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }

    static func json(_ body: Data, cache: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
