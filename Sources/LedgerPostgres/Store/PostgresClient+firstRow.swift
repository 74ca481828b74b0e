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
    func rows<Row>(_ query: PostgresQuery, logger: Logger, _ decode: (PostgresRow) throws -> Row) async throws(LedgerStoreError) -> [Row] {
        do {
            var result: [Row] = []
            for try await row in try await self.query(query, logger: logger) { result.append(try decode(row)) }
            return result
        } catch {
            throw LedgerStoreError(.unavailable, "query failed: \(PostgresErrorSummary(error))")
        }
    }

    /// Runs a prepared statement (prepared once per connection, so PostgreSQL neither parses nor,
    /// once it settles on a generic plan, plans it again) and returns every row.
    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws(LedgerStoreError) -> [Statement.Row]
    where Statement.Row: Sendable {
        do {
            var result: [Statement.Row] = []
            for try await row in try await execute(statement, logger: logger) { result.append(row) }
            return result
        } catch {
            throw LedgerStoreError(.unavailable, "query failed: \(PostgresErrorSummary(error))")
        }
    }
}
