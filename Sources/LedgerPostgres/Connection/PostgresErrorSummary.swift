import PostgresNIO

/// A log- and message-safe summary of a database error: the SQLSTATE and server message for
/// server errors, the error code otherwise. Never includes the statement's bound values.
struct PostgresErrorSummary: CustomStringConvertible {
    let description: String

    init(_ error: any Error) {
        if let psql = error as? PSQLError {
            if let state = psql.serverInfo?[.sqlState], let message = psql.serverInfo?[.message] {
                description = "\(state) \(message)"
            } else {
                description = "\(psql.code)"
            }
        } else if let legacy = error as? PostgresError {
            description = legacy.description
        } else if let store = error as? LedgerStoreError {
            description = store.description
        } else {
            description = "\(type(of: error))"
        }
    }
}
