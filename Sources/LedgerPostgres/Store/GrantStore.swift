import LedgerDomain
import Logging
import PostgresNIO

/// Grants: the generic load → decide → append loop of ``AggregateStore`` plus the indexes that
/// find a grant by a presented refresh token or authorization code.
public struct GrantStore: Sendable {
    /// What running a grant command produced.
    public typealias Outcome = AggregateStore<Grant>.Outcome

    private let store: AggregateStore<Grant>

    /// Creates a store over a running client and writer.
    public init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        store = AggregateStore(client: client, writer: writer, logger: logger)
    }

    /// The current state and stream version of a grant.
    public func load(_ id: GrantID) async throws(LedgerStoreError) -> (grant: Grant, version: Int64)? {
        try await store.load(.grant(id)).map { ($0.state, $0.version) }
    }

    /// What a presented refresh token leads to.
    public struct RefreshTokenGrant: Sendable {
        /// The grant (refresh-token family) the token belongs to, and its stream version.
        public var grant: Grant
        public var version: Int64
        /// The generation the token was issued as.
        public var generation: Int
        /// Whether the deny-list revokes the grant at the time asked: the grant or its session,
        /// or its subject or client revoked after the grant started.
        public var denied: Bool
    }

    /// The grant of a refresh token, by the token's hash, with its version and the deny-list's
    /// verdict at `now`: one prepared statement (the hottest read of the service).
    public func refreshToken(_ hash: TokenHash, at now: Instant) async throws(LedgerStoreError) -> RefreshTokenGrant? {
        let rows = try await store.client.rows(RefreshTokenLookup(now: now.milliseconds, tokenHash: hash.hex), logger: store.logger)
        guard let (generation, version, state, denied) = rows.first else { return nil }
        return RefreshTokenGrant(grant: try Grant.decodeState(state), version: version, generation: Int(generation), denied: denied)
    }

    /// The grant of an authorization code, by the code's hash.
    public func authorizationCode(_ hash: TokenHash) async throws(LedgerStoreError) -> GrantID? {
        try await store.client.firstRow(
            "SELECT grant_id FROM authorization_codes WHERE code_hash = \(hash.hex)", as: String.self, logger: store.logger
        ).map(GrantID.init)
    }

    /// Decides `command` against the grant's current state and appends the events, retrying on
    /// version conflicts, so concurrent rotations of one token have exactly one winner and the
    /// rest see it (I3). A refusal that carries events (reuse, code replay) is appended too.
    /// `readSet` and `start` are those of ``AggregateStore/execute(_:on:context:metadata:extra:readSet:start:maxAttempts:)``.
    public func execute(
        _ command: GrantCommand, on id: GrantID, context: DecisionContext, metadata: EventMetadata,
        readSet: [StreamID: Int64] = [:], start: AggregateStore<Grant>.Start = .load, maxAttempts: Int = 32
    ) async throws(LedgerStoreError) -> Outcome {
        try await store.execute(
            command, on: .grant(id), context: context, metadata: metadata, readSet: readSet, start: start, maxAttempts: maxAttempts
        )
    }
}

/// Refresh token → its grant's generation, version and state, and whether the deny-list revokes
/// the grant at `now` (`denylist_covers`, `Schema/0007`).
private struct RefreshTokenLookup: PostgresPreparedStatement {
    static let sql = """
        SELECT r.generation, g.version, g.state::text,
            denylist_covers($1, NULL, g.grant_id, g.session_id, g.subject, g.client_id, (g.state->>'started_at')::bigint)
        FROM refresh_tokens r JOIN grants g ON g.grant_id = r.grant_id
        WHERE r.token_hash = $2
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .text]
    typealias Row = (Int32, Int64, String, Bool)

    var now: Int64
    var tokenHash: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(now)
        bindings.append(tokenHash)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
