import Foundation
import Hummingbird
import LedgerPostgres

/// The query parameters of the admin export routes, validated: `format` (ndjson, the default,
/// or csv), `from_seq`, `to_seq`, `since`, `until` (ISO 8601), `type` (repeatable), `subject`, `client`.
enum ExportQuery {
    /// The filter and format, or a 400 naming the parameter at fault (never its value).
    static func parse(_ query: Parameters) throws(AdminError) -> (ExportFilter, ExportFormat) {
        let known: Set<String> = ["format", "from_seq", "to_seq", "since", "until", "type", "subject", "client"]
        if let unknown = query.first(where: { !known.contains(String($0.key)) }) {
            throw invalid("unknown parameter \(unknown.key)")
        }
        for name in known.subtracting(["type"]) where query.getAll(name).count > 1 {
            throw invalid("\(name) is repeated")
        }
        guard let format = ExportFormat(rawValue: query["format"].map { String($0) } ?? "ndjson") else {
            throw invalid("format must be ndjson or csv")
        }
        var filter = ExportFilter(
            fromSeq: try sequenceNumber(query, "from_seq"), toSeq: try sequenceNumber(query, "to_seq"),
            types: query.getAll("type").map { String($0) }, subject: query["subject"].map { String($0) },
            client: query["client"].map { String($0) }
        )
        filter.since = try time(query, "since")
        filter.until = try time(query, "until")
        return (filter, format)
    }

    private static func sequenceNumber(_ query: Parameters, _ name: String) throws(AdminError) -> Int64? {
        guard let text = query[Substring(name)] else { return nil }
        guard let value = Int64(String(text)), value >= 0 else { throw invalid("\(name) must be a non-negative integer") }
        return value
    }

    private static func time(_ query: Parameters, _ name: String) throws(AdminError) -> Date? {
        guard let text = query[Substring(name)] else { return nil }
        guard let date = ExportTime.parse(String(text)) else { throw invalid("\(name) must be an ISO 8601 time") }
        return date
    }

    private static func invalid(_ detail: String) -> AdminError {
        AdminError("invalid_request", detail)
    }
}
