import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerPostgres
import PostgresNIO
import Testing
import LedgerService

/// Fixtures for the admin API tests: authenticated JSON calls, grants started through the
/// store, and readers for the log and the deny-list.
enum AdminFixtures {
    /// A fixed clock: 2026-01-01T00:00:00Z.
    static let t0 = Instant(seconds: 1_767_225_600)

    /// One stored event.
    struct StoredEvent: Sendable {
        var seq: Int64
        var type: String
        var data: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
        var text: String
    }

    /// One deny-list row.
    struct DenyRow: Sendable, Equatable {
        var notBefore: Int64?
        var until: Int64
        var reason: String
    }

    /// Calls the admin API with the admin key (or `token`, or none when `token` is nil).
    static func call(
        _ h: HTTPHarness, _ method: HTTPRequest.Method, _ uri: String, json: String? = nil,
        token: String? = HTTPHarness.adminToken
    ) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await h.adminClient.executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// Registers a client through `POST /admin/clients`; returns the RFC 7591 response.
    static func register(_ h: HTTPHarness, _ json: String) async throws -> [String: Any] {
        let response = try await call(h, .post, "/admin/clients", json: json)
        #expect(response.status == .created)
        return response.json
    }

    /// Starts a code-flow grant and redeems its code, issuing access token `jti`.
    @discardableResult
    static func grant(
        _ h: HTTPHarness, client: String = "client-a", subject: String = "alice", session: String? = nil,
        jti: String = UUID().uuidString
    ) async throws -> GrantID {
        let id = GrantID(UUID().uuidString.lowercased())
        let code = SecretDigest.hash(UUID().uuidString)
        let context = DecisionContext(now: h.services.now())
        let metadata = EventMetadata(actor: "test")
        _ = try await h.services.grants.execute(
            .startWithCode(.init(
                grantID: id, clientID: ClientID(client), subject: Subject(subject), sessionID: session.map(SessionID.init),
                scope: Scope(["openid", "offline_access"]), codeHash: code, redirectURI: "https://app.example/cb",
                codeChallenge: "challenge"
            )),
            on: id, context: context, metadata: metadata
        )
        let outcome = try await h.services.grants.execute(
            .redeemCode(.init(
                codeHash: code, clientID: ClientID(client), redirectURI: "https://app.example/cb", verifierChallenge: "challenge",
                accessToken: TokenID(jti), refreshTokenHash: SecretDigest.hash(UUID().uuidString), idToken: nil
            )),
            on: id, context: context, metadata: metadata
        )
        #expect(outcome.decision.refusal == nil)
        return id
    }

    /// The events of one stream, in order.
    static func events(_ h: HTTPHarness, stream: String) async throws -> [StoredEvent] {
        let rows = try await h.ledger.admin.query(
            "SELECT seq, type, data::text FROM events WHERE stream_id = \(stream) ORDER BY seq", logger: h.services.logger
        )
        var events: [StoredEvent] = []
        for try await (seq, type, text) in rows.decode((Int64, String, String).self) {
            events.append(StoredEvent(seq: seq, type: type, text: text))
        }
        return events
    }

    /// The log's last sequence number.
    static func head(_ h: HTTPHarness) async throws -> Int64 {
        let rows = try await h.ledger.admin.query("SELECT seq FROM ledger_head", logger: h.services.logger)
        for try await seq in rows.decode(Int64.self) { return seq }
        return -1
    }

    /// The deny-list row of `scope`/`key`, if any.
    static func deny(_ h: HTTPHarness, _ scope: String, _ key: String) async throws -> DenyRow? {
        let rows = try await h.ledger.admin.query(
            "SELECT not_before_ms, until_ms, reason FROM denylist WHERE scope = \(scope) AND key = \(key)",
            logger: h.services.logger
        )
        for try await (notBefore, until, reason) in rows.decode((Int64?, Int64, String).self) {
            return DenyRow(notBefore: notBefore, until: until, reason: reason)
        }
        return nil
    }

    /// Every row of the tables admin revocations change, as sortable text.
    static func projectionRows(_ h: HTTPHarness) async throws -> [String] {
        let rows = try await h.ledger.admin.query(
            """
            SELECT 'aggregates ' || stream_id || ' ' || version || ' ' || state::text FROM aggregates
            UNION ALL SELECT 'grants ' || grant_id || ' ' || status || ' ' || version || ' ' || state::text FROM grants
            UNION ALL SELECT 'denylist ' || scope || ' ' || key || ' ' || coalesce(not_before_ms::text, '-') || ' '
                || until_ms || ' ' || reason FROM denylist
            """,
            logger: h.services.logger
        )
        var result: [String] = []
        for try await row in rows.decode(String.self) { result.append(row) }
        return result.sorted()
    }

    /// The grant's current state.
    static func grantState(_ h: HTTPHarness, _ id: GrantID) async throws -> Grant {
        try #require(try await h.services.grants.load(id)?.grant)
    }
}
