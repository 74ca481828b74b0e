import Foundation
import LedgerDomain
import Logging
import PostgresNIO

/// Rebuilds every projection from the log (`tokenledger rebuild`): in one transaction that
/// holds the chain-head lock (so no append interleaves), it empties the projection tables,
/// folds every event in sequence order through the same ``Projector`` the live path uses, and
/// writes the rows back.
public struct ProjectionRebuilder: Sendable {
    /// How much was rebuilt.
    public struct Summary: Sendable, Hashable {
        public var events: Int
        public var grants: Int
    }

    private let client: PostgresClient
    private let logger: Logger
    private let chunkSize = 2000

    /// Creates a rebuilder.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Rebuilds the projections; returns what was folded.
    public func rebuild() async throws(LedgerStoreError) -> Summary {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT seq FROM ledger_head WHERE id FOR UPDATE", logger: logger)
                try await connection.query(
                    "TRUNCATE streams, grants, refresh_tokens, authorization_codes, denylist", logger: logger
                )
                try await connection.query(
                    "INSERT INTO streams (stream_id, version) SELECT stream_id, max(stream_version) FROM events GROUP BY stream_id",
                    logger: logger
                )
                var grants: [GrantID: (Grant, Int64)] = [:]
                var pending = ProjectionDelta()
                var pendingRows = 0
                var events = 0
                // Read on a second connection: a connection cannot run the projection writes while
                // it streams. The head lock held above keeps the log still meanwhile.
                try await client.withConnection { reader in
                let rows = try await reader.query(
                    "SELECT stream_version, type, data::text FROM events ORDER BY seq", logger: logger
                )
                for try await (version, type, data) in rows.decode((Int64, String, String).self) {
                    let event = try EventDecoding.decode(type: type, data: Data(data.utf8))
                    if case .grant(let grantEvent) = event, let next = Grant.evolve(grants[grantEvent.grantID]?.0, grantEvent) {
                        grants[grantEvent.grantID] = (next, version)
                    }
                    let rows = Projector.rows(for: event)
                    if !rows.isEmpty {
                        pending.merge(rows)
                        pendingRows += 1
                    }
                    events += 1
                    if pendingRows >= chunkSize {
                        try await apply(pending, on: connection)
                        pending = ProjectionDelta()
                        pendingRows = 0
                    }
                }
                }
                for (grant, version) in grants.values {
                    pending.put(Projector.row(for: grant, version: version))
                    pendingRows += 1
                    if pendingRows >= chunkSize {
                        try await apply(pending, on: connection)
                        pending = ProjectionDelta()
                        pendingRows = 0
                    }
                }
                try await apply(pending, on: connection)
                return Summary(events: events, grants: grants.count)
            }
        } catch let error as LedgerStoreError {
            throw error
        } catch {
            throw LedgerStoreError(.unavailable, "rebuild failed: \(PostgresErrorSummary(error))")
        }
    }

    private func apply(_ delta: ProjectionDelta, on connection: PostgresConnection) async throws {
        guard !delta.isEmpty else { return }
        let json = String(decoding: try JSONEncoder().encode(delta), as: UTF8.self)
        try await connection.query("SELECT apply_projection(\(json)::jsonb)", logger: logger)
    }
}
