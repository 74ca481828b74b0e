import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Reads grant state from the inline projections and runs grant commands through the writer:
/// load → decide → append with the expected version; on a version conflict (another request
/// or replica got there first) reload and decide again, so concurrent rotations of one token
/// have exactly one winner and the rest see it (I3).
public struct GrantStore: Sendable {
    /// What running a command produced.
    public struct Outcome: Sendable {
        /// The state the command was decided against.
        public var before: Grant?
        /// The state after the appended events.
        public var after: Grant?
        /// The decision (events appended, and the refusal if any).
        public var decision: Grant.GrantDecision
        /// Where the events landed; nil when there were none.
        public var receipt: AppendReceipt?
    }

    private let client: PostgresClient
    private let writer: EventWriter
    private let logger: Logger

    /// Creates a store over a running client and writer.
    public init(client: PostgresClient, writer: EventWriter, logger: Logger) {
        self.client = client
        self.writer = writer
        self.logger = logger
    }

    /// The current state and stream version of a grant.
    public func load(_ id: GrantID) async throws(LedgerStoreError) -> (grant: Grant, version: Int64)? {
        let rows = try await query("SELECT version, state::text FROM grants WHERE grant_id = \(id.rawValue)")
        guard let (version, state) = try await first(rows, as: (Int64, String).self) else { return nil }
        do {
            return (try JSONDecoder().decode(Grant.self, from: Data(state.utf8)), version)
        } catch {
            throw LedgerStoreError(.encoding, "grant \(id) state: \(error)")
        }
    }

    /// The grant and generation of a refresh token, by the token's hash.
    public func refreshToken(_ hash: TokenHash) async throws(LedgerStoreError) -> (grant: GrantID, generation: Int)? {
        let rows = try await query("SELECT grant_id, generation FROM refresh_tokens WHERE token_hash = \(hash.hex)")
        return try await first(rows, as: (String, Int32).self).map { (GrantID($0.0), Int($0.1)) }
    }

    /// The grant of an authorization code, by the code's hash.
    public func authorizationCode(_ hash: TokenHash) async throws(LedgerStoreError) -> GrantID? {
        let rows = try await query("SELECT grant_id FROM authorization_codes WHERE code_hash = \(hash.hex)")
        return try await first(rows, as: String.self).map(GrantID.init)
    }

    /// Decides `command` against the grant's current state and appends the events, retrying on
    /// version conflicts. A refusal that carries events (reuse, code replay) is appended too.
    public func execute(
        _ command: GrantCommand, on id: GrantID, context: DecisionContext, metadata: EventMetadata, maxAttempts: Int = 32
    ) async throws(LedgerStoreError) -> Outcome {
        for _ in 0..<maxAttempts {
            let current = try await load(id)
            let decision = Grant.decide(command, current?.grant, context)
            guard !decision.events.isEmpty else {
                return Outcome(before: current?.grant, after: current?.grant, decision: decision, receipt: nil)
            }
            let after = Grant.fold(decision.events, from: current?.grant)
            let version = current?.version ?? 0
            var events: [NewEvent] = []
            for event in decision.events { events.append(try NewEvent(event, metadata: metadata)) }
            let projection = after.map {
                Projector.delta(for: $0, version: version + Int64(events.count), events: decision.events)
            } ?? ProjectionDelta()
            do {
                let receipt = try await writer.append(
                    PendingAppend(stream: .grant(id), expectedVersion: version, events: events, projection: projection)
                )
                return Outcome(before: current?.grant, after: after, decision: decision, receipt: receipt)
            } catch where error.code == .versionConflict {
                continue
            }
        }
        throw LedgerStoreError(.contention, "grant \(id) kept changing under \(maxAttempts) attempts")
    }

    private func query(_ query: PostgresQuery) async throws(LedgerStoreError) -> PostgresRowSequence {
        do {
            return try await client.query(query, logger: logger)
        } catch {
            throw LedgerStoreError(.unavailable, "query failed: \(PostgresErrorSummary(error))")
        }
    }

    private func first<T: PostgresDecodable & Sendable>(_ rows: PostgresRowSequence, as: T.Type) async throws(LedgerStoreError) -> T? {
        do {
            for try await value in rows.decode(T.self) { return value }
            return nil
        } catch {
            throw LedgerStoreError(.unavailable, "read failed: \(PostgresErrorSummary(error))")
        }
    }

    private func first<A: PostgresDecodable & Sendable, B: PostgresDecodable & Sendable>(
        _ rows: PostgresRowSequence, as: (A, B).Type
    ) async throws(LedgerStoreError) -> (A, B)? {
        do {
            for try await value in rows.decode((A, B).self) { return value }
            return nil
        } catch {
            throw LedgerStoreError(.unavailable, "read failed: \(PostgresErrorSummary(error))")
        }
    }
}
