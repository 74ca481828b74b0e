import Logging
import PostgresNIO

extension PostgresClient {
    /// Runs a query and decodes its first row, mapping failures to ``LedgerStoreError``.
    func firstRow<Row: Sendable>(_ query: PostgresQuery, as: Row.Type, logger: Logger) async throws(LedgerStoreError) -> Row?
    where Row: PostgresDecodable {
        try await rows(query, logger: logger) { try $0.decode(Row.self) }.first
    }

    /// Runs a query and decodes its first row as a pair.
    func firstRow<A: PostgresDecodable & Sendable, B: PostgresDecodable & Sendable>(
        _ query: PostgresQuery, as: (A, B).Type, logger: Logger
    ) async throws(LedgerStoreError) -> (A, B)? {
        try await rows(query, logger: logger) { try $0.decode((A, B).self) }.first
    }

    /// Runs a query and decodes every row with `decode`, mapping failures to ``LedgerStoreError``.
    /// The wait for a connection is bounded by ``leaseWait``.
    func rows<Row>(_ query: PostgresQuery, logger: Logger, _ decode: (PostgresRow) throws -> Row) async throws(LedgerStoreError) -> [Row] {
        do {
            let rows = try await withConnection(waitingAtMost: Self.leaseWait) { connection in
                try await connection.query(query, logger: logger).collect()
            }
            return try rows.map(decode)
        } catch {
            throw LedgerStoreError(.unavailable, "query failed: \(PostgresErrorSummary(error))")
        }
    }

    /// Runs a prepared statement (prepared once per connection, so PostgreSQL neither parses nor,
    /// once it settles on a generic plan, plans it again) and returns every row. The wait for a
    /// connection is bounded by ``leaseWait``.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws(LedgerStoreError) -> [Statement.Row]
    where Statement.Row: Sendable {
        do {
            return try await withConnection(waitingAtMost: Self.leaseWait) { connection in
                var result: [Statement.Row] = []
                for try await row in try await connection.execute(statement, logger: logger) { result.append(row) }
                return result
            }
        } catch {
            throw LedgerStoreError(.unavailable, "query failed: \(PostgresErrorSummary(error))")
        }
    }
}
