import WebEncoding
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import PostgresNIO
import Synchronization
import Testing
import LedgerService

/// Fixtures for the token, revocation and introspection tests: a clock the test moves, clients
/// registered straight through the store, code-flow grants started through the store (until
/// `/authorize` is the way in), and helpers to read JWTs and the log.
enum TokenFixtures {
    static let redirectURI = "https://app.example/cb"
    static let confidentialGrants = ["authorization_code", "refresh_token", "client_credentials"]

    /// A clock the test advances by hand.
    final class Clock: Sendable {
        private let current: Mutex<Instant>

        init(_ start: Instant = Instant.current()) { current = Mutex(start) }

        @Sendable func now() -> Instant { current.withLock { $0 } }

        func advance(_ duration: Duration) { current.withLock { $0 = $0.adding(duration) } }
    }

    /// A registered client and its credentials.
    struct TestClient: Sendable {
        var id: String
        var secret: String?

        /// `Authorization: Basic` for the client.
        var basic: HTTPFields {
            let credentials = Data("\(formEncode(id)):\(formEncode(secret ?? ""))".utf8).base64EncodedString()
            return [.authorization: "Basic \(credentials)"]
        }
    }

    /// Registers a client. Confidential clients get a secret and `client_secret_basic` unless
    /// `method` says otherwise; `method: "none"` makes a public client.
    @discardableResult
    static func register(
        _ h: HTTPHarness, id: String = "client-\(UUID().uuidString.prefix(8).lowercased())", method: String = "client_secret_basic",
        grantTypes: [String] = confidentialGrants, scope: String = "openid offline_access api:read api:write",
        lifetimes: Lifetimes = .standard, fingerprintPolicy: FingerprintPolicy? = nil, resources: [String]? = nil
    ) async throws -> TestClient {
        let secret = method == "none" ? nil : SecretDigest.mint()
        let registration = ClientRegistered(
            clientID: ClientID(id), clientName: id, redirectURIs: [redirectURI], postLogoutRedirectURIs: [],
            grantTypes: grantTypes, responseTypes: ["code"], tokenEndpointAuthMethod: method, scope: Scope(parsing: scope),
            secretHash: secret.map(SecretDigest.hash), lifetimes: lifetimes, fingerprintPolicy: fingerprintPolicy,
            resources: resources.map(Resources.init), at: h.services.now()
        )
        let outcome = try await h.services.clients.execute(
            .register(registration), on: ClientID(id), context: DecisionContext(now: h.services.now()),
            metadata: EventMetadata(actor: "test")
        )
        #expect(outcome.decision.refusal == nil)
        return TestClient(id: id, secret: secret)
    }

    /// An authorization code issued to `client` with an S256 challenge of `verifier`.
    struct IssuedCode: Sendable {
        var grant: GrantID
        var code: String
        var verifier: String
    }

    /// Starts a code-flow grant through the store, as `/authorize` would.
    static func issueCode(
        _ h: HTTPHarness, for client: TestClient, scope: String = "openid offline_access api:read",
        subject: String = "alice", session: String? = "sid-1"
    ) async throws -> IssuedCode {
        let grant = GrantID(UUID().uuidString.lowercased())
        let code = SecretDigest.mint()
        let verifier = SecretDigest.mint() + SecretDigest.mint()
        let outcome = try await h.services.grants.execute(
            .startWithCode(.init(
                grantID: grant, clientID: ClientID(client.id), subject: Subject(subject), sessionID: session.map(SessionID.init),
                scope: Scope(parsing: scope), codeHash: SecretDigest.hash(code), redirectURI: redirectURI,
                codeChallenge: challenge(verifier)
            )),
            on: grant, context: DecisionContext(now: h.services.now()), metadata: EventMetadata(actor: "test")
        )
        #expect(outcome.decision.refusal == nil)
        return IssuedCode(grant: grant, code: code, verifier: verifier)
    }

    /// BASE64URL(SHA256(verifier)).
    static func challenge(_ verifier: String) -> String {
        base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Base64url without padding, written independently of the code under test.
    static func base64URL(_ data: Data) -> String {
        data.base64URLEncoded
    }

    /// Redeems a code with the usual parameters; `overrides` replace or (with an empty value) drop them.
    static func redeem(
        _ h: HTTPHarness, _ issued: IssuedCode, by client: TestClient, overrides: [String: String] = [:]
    ) async throws -> TestResponse {
        var parameters: [String: String] = [
            "grant_type": "authorization_code", "code": issued.code, "redirect_uri": redirectURI,
            "code_verifier": issued.verifier,
        ]
        parameters.merge(overrides) { $1 }
        return try await post(h, "/token", parameters.filter { !$0.value.isEmpty }, as: client)
    }

    /// Refreshes with `token`.
    static func refresh(_ h: HTTPHarness, _ token: String, as client: TestClient, scope: String? = nil) async throws -> TestResponse {
        var parameters = ["grant_type": "refresh_token", "refresh_token": token]
        parameters["scope"] = scope
        return try await post(h, "/token", parameters, as: client)
    }

    /// Introspects `token` as `client` and returns the JSON answer.
    static func introspect(_ h: HTTPHarness, _ token: String, as client: TestClient) async throws -> [String: Any] {
        let response = try await post(h, "/introspect", ["token": token], as: client)
        #expect(response.status == .ok)
        return response.json
    }

    /// POSTs a form, authenticating with Basic for confidential clients and `client_id` for public ones.
    static func post(_ h: HTTPHarness, _ uri: String, _ parameters: [String: String], as client: TestClient) async throws -> TestResponse {
        try await post(h, uri, pairs: parameters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, as: client)
    }

    /// POSTs form pairs in order (names may repeat), authenticating as ``post(_:_:_:as:)`` does.
    static func post(_ h: HTTPHarness, _ uri: String, pairs: [(String, String)], as client: TestClient) async throws -> TestResponse {
        var form = pairs
        if client.secret == nil { form.append(("client_id", client.id)) }
        return try await h.publicClient.postForm(uri, form, headers: client.secret == nil ? [:] : client.basic)
    }

    /// The decoded header and claims of a compact JWS.
    static func jwtParts(_ token: String) throws -> (header: [String: Any], claims: [String: Any]) {
        let (header, claims) = try jwtJSON(token)
        func decode(_ data: Data) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        return (try decode(header), try decode(claims))
    }

    /// The JSON bytes of a JWT's header and payload.
    static func jwtJSON(_ token: String) throws -> (header: Data, claims: Data) {
        let segments = token.split(separator: ".").map(String.init)
        try #require(segments.count == 3)
        func decode(_ text: String) throws -> Data {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            if base64.count % 4 != 0 { base64 += String(repeating: "=", count: 4 - base64.count % 4) }
            return try #require(Data(base64Encoded: base64))
        }
        return (try decode(segments[0]), try decode(segments[1]))
    }

    /// How many events the log holds.
    static func eventCount(_ h: HTTPHarness) async throws -> Int64 {
        let rows = try await h.ledger.admin.query("SELECT count(*) FROM events", logger: h.services.logger)
        for try await count in rows.decode(Int64.self) { return count }
        return -1
    }

    /// The grant's current state.
    static func grant(_ h: HTTPHarness, _ id: GrantID) async throws -> Grant {
        try #require(try await h.services.grants.load(id)?.grant)
    }

    /// The grant id inside an access token.
    static func grantID(ofAccessToken token: String) throws -> GrantID {
        GrantID(try #require(try jwtParts(token).claims["grant_id"] as? String))
    }
}

extension TestResponse {
    /// The `error` member of an error answer.
    var oauthErrorCode: String? { json["error"] as? String }

    /// The body's exact bytes.
    var rawBody: Data { Data(buffer: body) }
}
