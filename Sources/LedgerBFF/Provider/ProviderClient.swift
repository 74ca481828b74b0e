import AsyncHTTPClient
import Foundation
import LedgerDomain
import NIOCore
import Synchronization

/// The BFF's calls to the issuer as a confidential client (`client_secret_basic`): discovery,
/// the code exchange with its PKCE verifier, refresh, RFC 7009 revocation and userinfo. No
/// token is ever logged; no HTTP client object holds a token between calls.
final class ProviderClient: Sendable {
    private let issuer: String
    private let clientID: String
    private let clientSecret: String
    private let http: HTTPClient
    private let discovered = Mutex<ProviderMetadata?>(nil)

    /// A client of `issuer`.
    init(issuer: String, clientID: String, clientSecret: String, http: HTTPClient) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.http = http
    }

    /// The issuer's endpoints, fetched once; the document's `issuer` must be exactly ours.
    func metadata() async throws(ProviderError) -> ProviderMetadata {
        if let known = discovered.withLock({ $0 }) { return known }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let (status, body) = try await send(HTTPClientRequest(url: base + "/.well-known/openid-configuration"))
        guard status == 200, let document = try? JSONDecoder().decode(ProviderMetadata.self, from: body) else {
            throw .unavailable("the discovery document could not be read")
        }
        guard document.issuer == issuer else { throw .unavailable("the discovery document names another issuer") }
        discovered.withLock { $0 = document }
        return document
    }

    /// Redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5).
    func redeem(code: String, redirectURI: String, verifier: String) async throws(ProviderError) -> TokenSet {
        try await tokenRequest([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier),
        ])
    }

    /// Rotates a refresh token (RFC 6749 §6).
    func refresh(_ refreshToken: String) async throws(ProviderError) -> TokenSet {
        try await tokenRequest([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
    }

    /// Revokes a token (RFC 7009); the issuer answers 200 whether or not it knew the token.
    func revoke(_ token: String, hint: String) async throws(ProviderError) {
        guard let endpoint = try await metadata().revocationEndpoint else { return }
        let (status, _) = try await send(formRequest(endpoint, [("token", token), ("token_type_hint", hint)]))
        guard status == 200 else { throw .unavailable("the revocation endpoint answered \(status)") }
    }

    /// The userinfo claims (OIDC Core §5.3) the access token releases; empty without an endpoint.
    func userInfo(accessToken: String) async throws(ProviderError) -> [String: JSONValue] {
        guard let endpoint = try await metadata().userinfoEndpoint else { return [:] }
        var request = HTTPClientRequest(url: endpoint)
        request.headers.add(name: "Authorization", value: "Bearer " + accessToken)
        let (status, body) = try await send(request)
        guard status == 200, let claims = try? JSONDecoder().decode([String: JSONValue].self, from: body) else {
            throw .unavailable("the userinfo endpoint answered \(status)")
        }
        return claims
    }

    private func tokenRequest(_ parameters: [(String, String)]) async throws(ProviderError) -> TokenSet {
        let (status, body) = try await send(formRequest(try await metadata().tokenEndpoint, parameters))
        if status == 200, let tokens = try? JSONDecoder().decode(TokenSet.self, from: body) { return tokens }
        struct OAuthErrorBody: Decodable { var error: String }
        if (400..<500).contains(status), let refusal = try? JSONDecoder().decode(OAuthErrorBody.self, from: body) {
            throw .refused(refusal.error)
        }
        throw .unavailable("the token endpoint answered \(status)")
    }

    /// A form POST authenticated with HTTP Basic (RFC 6749 §2.3.1: both parts form-encoded).
    private func formRequest(_ url: String, _ parameters: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        let credentials = FormEncoding.encode(clientID) + ":" + FormEncoding.encode(clientSecret)
        request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(parameters)))
        return request
    }

    private func send(_ request: HTTPClientRequest) async throws(ProviderError) -> (status: UInt, body: Data) {
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (response.status.code, Data(buffer: body))
        } catch {
            throw .unavailable("the issuer could not be reached")
        }
    }
}
