import LedgerDomain
import Testing

@Suite("Redirect URIs: exact match, and any port for a loopback IP redirect (RFC 8252 §7.3)")
struct RedirectMatchTests {
    static func client(_ uris: [String]) -> ClientRegistered {
        ClientRegistered(
            clientID: ClientID("native"), clientName: nil, redirectURIs: uris, postLogoutRedirectURIs: [], grantTypes: ["authorization_code"],
            responseTypes: ["code"], tokenEndpointAuthMethod: "none", scope: Scope(parsing: "openid"), secretHash: nil,
            lifetimes: .standard, at: Instant(milliseconds: 0)
        )
    }

    @Test("exact strings match; a loopback IP redirect matches with any port, nothing else varies")
    func matching() {
        let client = Self.client(["http://127.0.0.1/callback", "http://[::1]:8080/cb?x=1", "com.example.app:/oauth2redirect", "https://app.example/cb"])
        #expect(client.allowsRedirect(to: "https://app.example/cb"))
        #expect(client.allowsRedirect(to: "com.example.app:/oauth2redirect"))
        #expect(client.allowsRedirect(to: "http://127.0.0.1:51234/callback"))
        #expect(client.allowsRedirect(to: "http://127.0.0.1/callback"))
        #expect(client.allowsRedirect(to: "http://[::1]:60000/cb?x=1"))
        #expect(client.allowsRedirect(to: "http://[::1]/cb?x=1"))
        for refused in [
            "http://127.0.0.1:51234/callback/x", "http://127.0.0.1:51234/Callback", "http://127.0.0.1:/callback", "http://127.0.0.1:123456/callback",
            "http://127.0.0.1.evil.example/callback", "http://localhost:51234/callback", "https://127.0.0.1:51234/callback",
            "http://[::1]:60000/cb?x=2", "https://app.example:444/cb", "com.example.app:/other",
        ] {
            #expect(!client.allowsRedirect(to: refused), "\(refused)")
        }
    }
}
