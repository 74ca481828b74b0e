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

    /// The grant and generation of a refresh token, by the token's hash.
    public func refreshToken(_ hash: TokenHash) async throws(LedgerStoreError) -> (grant: GrantID, generation: Int)? {
        try await store.client.firstRow(
            "SELECT grant_id, generation FROM refresh_tokens WHERE token_hash = \(hash.hex)", as: (String, Int32).self,
            logger: store.logger
        ).map { (GrantID($0.0), Int($0.1)) }
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
    public func execute(
        _ command: GrantCommand, on id: GrantID, context: DecisionContext, metadata: EventMetadata, maxAttempts: Int = 32
    ) async throws(LedgerStoreError) -> Outcome {
        try await store.execute(command, on: .grant(id), context: context, metadata: metadata, maxAttempts: maxAttempts)
    }
}
