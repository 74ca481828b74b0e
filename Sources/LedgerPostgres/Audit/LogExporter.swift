import Crypto
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The output format of an export.
public enum ExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// One canonical chain record (``ChainRecord/canonicalBytes``) per line.
    case ndjson
    /// RFC 4180 CSV with a header row, hashes in hex.
    case csv
}

/// Which events an export holds. Every non-nil field narrows the selection.
public struct ExportFilter: Sendable, Hashable, Codable {
    public var fromSeq: Int64?
    public var toSeq: Int64?
    /// Events that occurred at or after this instant.
    public var since: Date?
    /// Events that occurred before this instant.
    public var until: Date?
    /// Exact event type names (any of them); empty means every type.
    public var types: [String]
    /// Events whose `data->>'sub'` is this subject, or on the stream of a grant of this subject.
    public var subject: String?
    /// Events whose `data->>'client_id'` or metadata `client_id` is this client, or on the
    /// stream of a grant of this client.
    public var client: String?

    public init(
        fromSeq: Int64? = nil, toSeq: Int64? = nil, since: Date? = nil, until: Date? = nil, types: [String] = [],
        subject: String? = nil, client: String? = nil
    ) {
        self.fromSeq = fromSeq
        self.toSeq = toSeq
        self.since = since
        self.until = until
        self.types = types
        self.subject = subject
        self.client = client
    }

    /// True when the filter is at most a sequence range, so the export is a contiguous piece
    /// of the chain that can be re-walked from its `prev_hash`.
    public var isSeqRangeOnly: Bool {
        since == nil && until == nil && types.isEmpty && subject == nil && client == nil
    }

    enum CodingKeys: String, CodingKey {
        case fromSeq = "from_seq", toSeq = "to_seq", since, until, types, subject, client
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fromSeq = try c.decodeIfPresent(Int64.self, forKey: .fromSeq)
        toSeq = try c.decodeIfPresent(Int64.self, forKey: .toSeq)
        since = try c.decodeIfPresent(String.self, forKey: .since).map(Self.parseDate)
        until = try c.decodeIfPresent(String.self, forKey: .until).map(Self.parseDate)
        types = try c.decodeIfPresent([String].self, forKey: .types) ?? []
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        client = try c.decodeIfPresent(String.self, forKey: .client)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(fromSeq, forKey: .fromSeq)
        try c.encodeIfPresent(toSeq, forKey: .toSeq)
        try c.encodeIfPresent(since.map(ExportTime.iso8601), forKey: .since)
        try c.encodeIfPresent(until.map(ExportTime.iso8601), forKey: .until)
        if !types.isEmpty { try c.encode(types, forKey: .types) }
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(client, forKey: .client)
    }

    private static func parseDate(_ text: String) throws -> Date {
        guard let date = ExportTime.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an ISO 8601 time: \(text)"))
        }
        return date
    }
}

/// ISO 8601 times as exports write them: UTC, millisecond precision.
public enum ExportTime {
    /// `2027-01-15T08:00:00.000Z`.
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `iso8601` of integer milliseconds since the epoch, computed without a formatter (CSV
    /// exports write one per row) for years 1970 to 9999.
    public static func iso8601(milliseconds: Int64) -> String {
        var text: [UInt8] = []
        appendISO8601(milliseconds: milliseconds, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``iso8601(milliseconds:)`` to `text`.
    static func appendISO8601(milliseconds: Int64, to text: inout [UInt8]) {
        guard milliseconds >= 0, milliseconds < 253_402_300_800_000 else {
            text.append(contentsOf: iso8601(Date(timeIntervalSince1970: Double(milliseconds) / 1000)).utf8)
            return
        }
        let (days, inDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        // Howard Hinnant's civil_from_days, for days since 1970-01-01.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        text.append(UInt8(ascii: "-"))
        digits(month, 2)
        text.append(UInt8(ascii: "-"))
        digits(day, 2)
        text.append(UInt8(ascii: "T"))
        digits(inDay / 3_600_000, 2)
        text.append(UInt8(ascii: ":"))
        digits(inDay / 60_000 % 60, 2)
        text.append(UInt8(ascii: ":"))
        digits(inDay / 1000 % 60, 2)
        text.append(UInt8(ascii: "."))
        digits(inDay % 1000, 3)
        text.append(UInt8(ascii: "Z"))
    }

    /// Parses an ISO 8601 time with or without fractional seconds (or a bare date, UTC).
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

/// What an export wrote: enough for its manifest.
public struct ExportSummary: Sendable, Hashable {
    public var format: ExportFormat
    public var filter: ExportFilter
    public var count: Int64
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    /// The stored `prev_hash` of the first exported event: the chain hash before it.
    public var prevHash: Data?
    /// The stored hash of the last exported event.
    public var lastHash: Data?
    /// SHA-256 of every byte written.
    public var sha256: Data
}

/// Streams events of the log to a sink, in `seq` order, one row at a time (constant memory),
/// as NDJSON (exactly the canonical chain records) or CSV, hashing what it writes.
public struct LogExporter: Sendable {
    /// The CSV header row.
    public static let csvHeader = "seq,stream_id,stream_version,type,occurred_at,data,metadata,prev_hash,hash"

    private let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Exports the events `filter` selects as `format`, handing the bytes to `sink` chunk by chunk.
    ///
    /// Rows are read in batches; while this task reads the next batch and hands the previous
    /// one's bytes to `sink`, a child task formats the batch in between (canonical JSON, CSV
    /// fields) and adds it to the file's SHA-256, so the work overlaps on two cores. The child
    /// tasks hash in batch order (each continues the hash its predecessor returns); at most
    /// three batches are in memory at any time.
    public func export(
        _ filter: ExportFilter, format: ExportFormat, to sink: (Data) async throws -> Void
    ) async throws -> ExportSummary {
        var summary = ExportSummary(format: format, filter: filter, count: 0, sha256: Data())
        var hasher = SHA256()
        if format == .csv {
            let header = Array((Self.csvHeader + "\r\n").utf8)
            hasher.update(data: header)
            try await sink(Data(header))
        }
        let rows: PostgresRowSequence
        do {
            rows = try await client.query(Self.query(filter), logger: logger)
        } catch {
            throw LedgerStoreError(.unavailable, "export failed: \(PostgresErrorSummary(error))")
        }
        typealias Formatted = (bytes: [UInt8], hasher: SHA256)
        let start = hasher
        var batch: [StoredChainRow] = []
        batch.reserveCapacity(Self.batchRows)
        var formatting: Task<Formatted, any Error>?
        var lastHash: ByteBuffer?
        for try await cells in rows {
            let row = try StoredChainRow(cells)
            if summary.firstSeq == nil {
                summary.firstSeq = row.seq
                summary.prevHash = Data(buffer: row.prevHash)
            }
            summary.lastSeq = row.seq
            lastHash = row.hash
            summary.count += 1
            batch.append(row)
            if batch.count == Self.batchRows {
                let previous = formatting
                formatting = Task { [batch] in
                    let bytes = try Self.format(batch, as: format)
                    var hasher = try await previous?.value.hasher ?? start
                    hasher.update(data: bytes)
                    return (bytes, hasher)
                }
                batch = []
                batch.reserveCapacity(Self.batchRows)
                if let previous { try await sink(Data(try await previous.value.bytes)) }
            }
        }
        if let formatting {
            let last = try await formatting.value
            try await sink(Data(last.bytes))
            hasher = last.hasher
        }
        if !batch.isEmpty {
            let bytes = try Self.format(batch, as: format)
            hasher.update(data: bytes)
            try await sink(Data(bytes))
        }
        summary.lastHash = lastHash.map { Data(buffer: $0) }
        summary.sha256 = Data(hasher.finalize())
        return summary
    }

    /// Rows per formatted batch (about 0.6 MB of output).
    private static let batchRows = 1024

    /// The export bytes of consecutive rows.
    private static func format(_ rows: [StoredChainRow], as format: ExportFormat) throws(LedgerStoreError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 700)
        var scratch: [UInt8] = []
        for row in rows {
            switch format {
            case .ndjson:
                try row.appendRecord(to: &out)
                out.append(UInt8(ascii: "\n"))
            case .csv:
                try CSVRow.append(row, to: &out, scratch: &scratch)
            }
        }
        return out
    }

    /// RFC 4180: a field holding a comma, quote, CR or LF is quoted, its quotes doubled.
    public static func csvField(_ field: String) -> String {
        var out: [UInt8] = []
        CSVRow.appendField(field.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The selecting query, every value bound.
    static func query(_ filter: ExportFilter) throws -> PostgresQuery {
        var binds = PostgresBindings()
        var conditions: [String] = []
        func bind(_ value: some PostgresThrowingDynamicTypeEncodable) throws -> String {
            try binds.append(value)
            return "$\(binds.count)"
        }
        if let from = filter.fromSeq { conditions.append("seq >= \(try bind(from))") }
        if let to = filter.toSeq { conditions.append("seq <= \(try bind(to))") }
        if let since = filter.since { conditions.append("occurred_at >= \(try bind(since))") }
        if let until = filter.until { conditions.append("occurred_at < \(try bind(until))") }
        if !filter.types.isEmpty { conditions.append("type = ANY(\(try bind(filter.types)))") }
        if let subject = filter.subject {
            let p = try bind(subject)
            conditions.append(
                "(data->>'sub' = \(p) OR stream_id IN (SELECT 'grant/' || grant_id FROM grants WHERE subject = \(p)))"
            )
        }
        if let client = filter.client {
            let p = try bind(client)
            conditions.append(
                """
                (data->>'client_id' = \(p) OR metadata->>'client_id' = \(p)
                 OR stream_id IN (SELECT 'grant/' || grant_id FROM grants WHERE client_id = \(p)))
                """
            )
        }
        let sql = """
            SELECT \(StoredChainRow.selectList)
            FROM events\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY seq
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
