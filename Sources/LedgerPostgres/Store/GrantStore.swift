import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Grants: the generic load → decide → append loop of ``AggregateStore`` plus the indexes that
/// find a grant by a presented refresh token or authorization code.
package struct GrantStore: Sendable {
    /// What running a grant command produced.
    package typealias Outcome = AggregateStore<Grant>.Outcome

    private let store: AggregateStore<Grant>
    private let rotations = RefreshTokenCache()

    /// Creates a store over a running client and writer.
    package init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        store = AggregateStore(client: client, writer: writer, logger: logger)
    }

    /// The current state and stream version of a grant.
    package func load(_ id: GrantID) async throws(LedgerStoreError) -> (grant: Grant, version: Int64)? {
        try await store.load(.grant(id)).map { ($0.state, $0.version) }
    }

    /// What a presented refresh token leads to.
    package struct RefreshTokenGrant: Sendable {
        /// The grant (refresh-token family) the token belongs to, and its stream version.
        package var grant: Grant
        package var version: Int64
        /// The generation the token was issued as.
        package var generation: Int
        /// Whether the deny-list revokes the grant at the time asked: the grant or its session,
        /// or its subject or client revoked after the grant started.
        package var denied: Bool
        /// The grant's subject and session streams at the versions seen with it. Their
        /// revocations are events on them, so an append carrying these as its read set fails if
        /// either was revoked since (the grant's own revocation moves its version, the client's
        /// moves the registration the token request reads).
        package var reads: [StreamID: Int64]
    }

    /// The grant of a refresh token, by the token's hash, with its version and the deny-list's
    /// verdict at `now`: one prepared statement (the hottest read of the service).
    package func refreshToken(_ hash: TokenHash, at now: Instant) async throws(LedgerStoreError) -> RefreshTokenGrant? {
        let rows = try await store.client.rows(RefreshTokenLookup(now: now.milliseconds, tokenHash: hash.hex), logger: store.logger)
        guard let (generation, version, state, denied, subjectVersion, sessionVersion) = rows.first else { return nil }
        let grant = try Grant.decodeState(state)
        var reads: [StreamID: Int64] = [.subject(grant.subject): subjectVersion]
        if let sid = grant.sessionID { reads[.session(sid)] = sessionVersion }
        return RefreshTokenGrant(grant: grant, version: version, generation: Int(generation), denied: denied, reads: reads)
    }

    /// The grant of a refresh token this process issued in a rotation, as the rotation left it,
    /// if still remembered (see ``RefreshTokenCache``); taken out, so a second presentation
    /// reads the database. Not a verdict: the rotation decided on it must carry
    /// ``RefreshTokenGrant/reads`` as its read set and the version as its expectation.
    package func rotatedRefreshToken(_ hash: TokenHash) -> RefreshTokenGrant? {
        rotations.take(hash)
    }

    /// Remembers the refresh token a rotation of `rotated` just issued, with the grant as the
    /// rotation left it.
    package func remember(successor hash: TokenHash, of rotated: RefreshTokenGrant, after outcome: Outcome) {
        guard let grant = outcome.after, let family = grant.refresh, family.currentHash == hash, let receipt = outcome.receipt else { return }
        rotations.put(hash, RefreshTokenGrant(
            grant: grant, version: receipt.streamVersion, generation: family.generation, denied: false, reads: rotated.reads
        ))
    }

    /// The grant of an authorization code, by the code's hash.
    package func authorizationCode(_ hash: TokenHash) async throws(LedgerStoreError) -> GrantID? {
        try await store.client.firstRow(
            "SELECT grant_id FROM authorization_codes WHERE code_hash = \(hash.hex)", as: String.self, logger: store.logger
        ).map(GrantID.init)
    }

    /// Decides `command` against the grant's current state and appends the events, retrying on
    /// version conflicts, so concurrent rotations of one token have exactly one winner and the
    /// rest see it (I3). A refusal that carries events (reuse, code replay) is appended too.
    /// `readSet` and `start` are those of ``AggregateStore/execute(_:on:context:metadata:extra:readSet:start:maxAttempts:)``.
    /// `extra` rows are written in the same transaction as the events (a rotation's grace answer).
    package func execute(
        _ command: GrantCommand, on id: GrantID, context: DecisionContext, metadata: EventMetadata, extra: ProjectionDelta = ProjectionDelta(),
        readSet: [StreamID: Int64] = [:], start: AggregateStore<Grant>.Start = .load, maxAttempts: Int = 32
    ) async throws(LedgerStoreError) -> Outcome {
        try await store.execute(
            command, on: .grant(id), context: context, metadata: metadata, extra: extra, readSet: readSet, start: start,
            maxAttempts: maxAttempts
        )
    }

    /// The sealed grace-window answer of the rotation of `grant` from `generation`, while it
    /// has not expired at `now` (`refresh_grace`, `Schema/0010`).
    package func graceAnswer(of grant: GrantID, fromGeneration generation: Int, at now: Instant) async throws(LedgerStoreError) -> Data? {
        try await store.client.firstRow(
            """
            SELECT sealed FROM refresh_grace
            WHERE grant_id = \(grant.rawValue) AND from_generation = \(generation) AND expires_ms > \(now.milliseconds)
            """, as: Data.self, logger: store.logger
        )
    }
}

/// Refresh token → its grant's generation, version and state, whether the deny-list revokes
/// the grant at `now` (`denylist_covers`, `Schema/0007`), and the versions of the grant's
/// subject and session streams (0 when absent).
private struct RefreshTokenLookup: PostgresPreparedStatement {
    static let sql = """
        SELECT r.generation, g.version, g.state::text,
            denylist_covers($1, NULL, g.grant_id, g.session_id, g.subject, g.client_id, (g.state->>'started_at')::bigint),
            (SELECT coalesce(max(e.stream_version), 0) FROM events e WHERE e.stream_id = 'subject/' || g.subject),
            (SELECT coalesce(max(e.stream_version), 0) FROM events e WHERE e.stream_id = 'session/' || g.session_id)
        FROM refresh_tokens r JOIN grants g ON g.grant_id = r.grant_id
        WHERE r.token_hash = $2
        """
    static let bindingDataTypes: [PostgresDataType] = [.int8, .text]
    typealias Row = (Int32, Int64, String, Bool, Int64, Int64)

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
