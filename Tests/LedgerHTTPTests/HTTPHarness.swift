import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import Testing
import LedgerService

/// A fresh database, the services over it (with an active ES256 key), and in-process test
/// clients for the public and admin routers.
struct HTTPHarness: Sendable {
    let ledger: TestDatabase.Ledger
    let services: LedgerServices
    let publicClient: any TestClientProtocol
    let adminClient: any TestClientProtocol

    static let adminToken = "test-admin-token"

    /// Runs `body` with a harness. `now` is the services' clock; `sessionLimit` the per-subject
    /// session limit; `clientCacheMaxAge` how long client registrations are reused;
    /// `clientRateLimit` the per-client rate limit.
    static func with(
        now: @escaping @Sendable () -> Instant = Instant.current, algorithm: String = "ES256", users: UserDirectory = .empty,
        sessionLimit: SessionLimit = .unlimited, clientCacheMaxAge: Duration = .seconds(1), clientRateLimit: ClientRateLimiter.Policy? = nil,
        loginURL: String? = nil, consentURL: String? = nil,
        _ body: @Sendable @escaping (HTTPHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.withLedger { ledger in
            var logger = Logger(label: "test.http")
            logger.logLevel = .error
            let keys = try await KeyRing.started(on: ledger.primary, algorithm: algorithm, logger: logger, now: now)
            let stores = LedgerStores(
                database: ledger.primary.client, writer: ledger.primary.writer, logger: logger, clientCacheMaxAge: clientCacheMaxAge
            )
            let services = LedgerServices(
                issuer: "https://issuer.test", stores: stores, keys: keys, adminToken: adminToken, logger: logger, now: now,
                users: users, sessionLimit: sessionLimit, clientRateLimit: clientRateLimit, loginURL: loginURL, consentURL: consentURL
            )
            let publicApp = Application(router: PublicRouter.build(services))
            let adminApp = Application(router: AdminRouter.build(services))
            try await publicApp.test(.router) { publicClient in
                try await adminApp.test(.router) { adminClient in
                    try await body(HTTPHarness(ledger: ledger, services: services, publicClient: publicClient, adminClient: adminClient))
                }
            }
        }
    }
}

extension TestClientProtocol {
    /// POSTs an `application/x-www-form-urlencoded` body.
    func postForm(_ uri: String, _ parameters: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = parameters.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&")
        return try await executeRequest(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

/// Percent-encodes a form value.
func formEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

extension TestResponse {
    /// The body decoded as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }
}
