import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerService
import LedgerTesting
import Logging
import Testing

/// The use cases over a fresh database, with no HTTP anywhere: one store graph, an active
/// ES256 key, and the token, session and client-registration use cases over them.
struct ServiceFixture: Sendable {
    let ledger: TestDatabase.Ledger
    let stores: LedgerStores
    let tokens: TokenService
    let registration: ClientRegistration
    let sessions: SessionLifecycle

    static let issuer = "https://issuer.test"
    static let redirectURI = "https://app.example/cb"
    static let metadata = EventMetadata(actor: "test")

    /// Runs `body` with a fixture.
    static func with(_ body: @Sendable @escaping (ServiceFixture) async throws -> Void) async throws {
        try await TestDatabase.withLedger { ledger in
            var logger = Logger(label: "test.service")
            logger.logLevel = .error
            let keys = try await KeyRing.started(on: ledger.primary, logger: logger)
            let stores = LedgerStores(database: ledger.primary.client, writer: ledger.primary.writer, logger: logger)
            let sessions = SessionLifecycle(stores: stores, limit: .unlimited, now: Instant.current)
            let revocations = AdminRevocations(stores: stores, lifecycle: sessions, now: Instant.current)
            try await body(ServiceFixture(
                ledger: ledger, stores: stores,
                tokens: TokenService(
                    issuer: issuer, defaultAudience: issuer, stores: stores, keys: keys, revocations: revocations, now: Instant.current
                ),
                registration: ClientRegistration(stores: stores), sessions: sessions
            ))
        }
    }

    /// Registers a confidential code-flow client with `refreshGrace` seconds of grace (and a
    /// `reusePolicy`) and authenticates it.
    func codeClient(refreshGrace: Int64 = 0, reusePolicy: String? = nil) async throws -> AuthenticatedClient {
        let registered = try await registration.register(
            ClientMetadata(
                redirectURIs: [Self.redirectURI], grantTypes: ["authorization_code", "refresh_token"], scope: "openid api:read",
                lifetimes: .init(refreshGrace: refreshGrace), reusePolicy: reusePolicy
            ),
            by: Self.metadata
        )
        let secret = try #require(registered.secret)
        return try await tokens.authenticate(ClientCredentials(id: registered.client.id.rawValue, secret: secret, method: .clientSecretBasic))
    }

    /// Registers a client for `client_credentials` with `scope` and authenticates it.
    func serviceClient(scope: String = "api:read") async throws -> AuthenticatedClient {
        let registered = try await registration.register(
            ClientMetadata(grantTypes: ["client_credentials"], tokenEndpointAuthMethod: "client_secret_post", scope: scope), by: Self.metadata
        )
        let secret = try #require(registered.secret)
        return try await tokens.authenticate(ClientCredentials(id: registered.client.id.rawValue, secret: secret, method: .clientSecretPost))
    }

    /// Signs `alice` in, issues a code to `caller` and redeems it: the first token response.
    func redeemedCode(for caller: AuthenticatedClient) async throws -> [String: Any] {
        let session = try await sessions.start(subject: Subject("alice"), metadata: Self.metadata)
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        let (code, _) = try await tokens.issueCode(
            .init(client: caller.client, scope: Scope(["openid", "api:read"]), redirectURI: Self.redirectURI, codeChallenge: challenge, nonce: nil),
            subject: Subject("alice"), session: session, metadata: Self.metadata
        )
        let issued = try await tokens.redeemCode(
            code, redirectURI: Self.redirectURI, verifierChallenge: challenge, caller: caller, metadata: Self.metadata
        )
        return try Self.json(issued)
    }

    /// The token response as a JSON object.
    static func json(_ issued: IssuedTokens) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: issued.body) as? [String: Any])
    }

    /// The log head's seq (seq is gap-free, so it moves with every event appended).
    func eventCount() async throws -> Int64 {
        try await LogHead.read(stores.database, logger: stores.logger).seq
    }

    /// The failure of `body`, which must throw.
    static func failure<T>(_ body: () async throws(TokenError) -> T) async -> TokenError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }
}
