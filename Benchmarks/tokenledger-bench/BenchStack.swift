import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import LedgerService

/// The service's listeners running live on ephemeral loopback ports over a test database
/// (``LiveStack``), with the requests the benchmarks make.
struct BenchStack: Sendable {
    let live: LiveStack
    var ledger: TestDatabase.Ledger { live.ledger }
    var services: LedgerServices { live.services }
    var publicURL: String { live.publicURL }
    var adminURL: String { live.adminURL }
    static let adminToken = LiveStack.adminToken

    /// Starts both listeners, runs `body`, stops them.
    static func with(_ ledger: TestDatabase.Ledger, _ body: @Sendable (BenchStack) async throws -> Void) async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        try await LiveStack.with(ledger, logger: logger) { live in
            try await body(BenchStack(live: live))
        }
    }

    /// A confidential client allowed every grant type.
    struct RegisteredClient: Sendable {
        let id: String
        let secret: String
        var basic: String { "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString() }
    }

    func registerClient(_ http: HTTPClient, scope: String = "openid offline_access") async throws -> RegisteredClient {
        var request = HTTPClientRequest(url: adminURL + "/admin/clients")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(Self.adminToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"client_name":"bench","redirect_uris":["http://127.0.0.1/cb"],"grant_types":["authorization_code","refresh_token","client_credentials"],"scope":"\#(scope)","token_endpoint_auth_method":"client_secret_basic"}"#))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created,
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let id = json["client_id"] as? String, let secret = json["client_secret"] as? String
        else { throw BenchError("client registration failed: \(response.status)") }
        return RegisteredClient(id: id, secret: secret)
    }

    /// POSTs JSON to an admin endpoint; throws unless 2xx.
    func admin(_ http: HTTPClient, _ path: String, json: String) async throws {
        let (status, _) = try await live.admin(path, json: json, http: http)
        guard (200..<300).contains(status) else { throw BenchError("\(path): \(status)") }
    }

    /// POSTs to /token; throws unless 200; returns the JSON body.
    @discardableResult
    func token(_ http: HTTPClient, client: RegisteredClient, _ form: [String: String]) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: publicURL + "/token")
        request.method = .POST
        request.headers.add(name: "Authorization", value: client.basic)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchError("token: \(response.status)") }
        return (try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    /// Seeds one code-flow grant per chain straight through the store (the fastest way, as
    /// the issue allows) and redeems each code over HTTP for a real refresh token.
    func seedRefreshChains(_ http: HTTPClient, client: RegisteredClient, count: Int) async throws -> RefreshChains {
        var tokens: [String] = []
        for _ in 0..<count {
            let code = SecretDigest.mint()
            let verifier = SecretDigest.mint()
            let challenge = PKCE.s256Challenge(of: verifier)
            let grant = GrantID(LedgerID.make(at: Instant.current()))
            _ = try await services.grants.execute(
                .startWithCode(.init(
                    grantID: grant, clientID: ClientID(client.id), subject: Subject("bench-user"), sessionID: nil,
                    scope: Scope(["openid", "offline_access"]), codeHash: SecretDigest.hash(code), redirectURI: "http://127.0.0.1/cb",
                    codeChallenge: challenge
                )),
                on: grant, context: DecisionContext(now: Instant.current()), metadata: EventMetadata(actor: "bench")
            )
            let response = try await token(http, client: client, [
                "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb", "code_verifier": verifier,
            ])
            guard let refresh = response["refresh_token"] as? String else { throw BenchError("no refresh token issued") }
            tokens.append(refresh)
        }
        return RefreshChains(tokens)
    }

    /// Every 200 has its committed event: at least as many `access_token.issued` events as
    /// answered tokens, and as many rotations.
    func checkEvents(expectedAccessTokens: Int, rotations: Int) async throws {
        let rows = try await ledger.admin.query(
            """
            SELECT count(*) FILTER (WHERE type IN ('grant.access_token.issued', 'grant.client_credentials')),
                   count(*) FILTER (WHERE type = 'grant.refresh_token.rotated')
            FROM events
            """
        )
        for try await (issued, rotated) in rows.decode((Int64, Int64).self) {
            print("events: \(issued) access tokens issued (\(expectedAccessTokens) answered), \(rotated) rotations (\(rotations) answered)")
            guard issued >= expectedAccessTokens, rotated >= rotations else { throw BenchError("a token was answered without its event") }
        }
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// A benchmark failure.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
