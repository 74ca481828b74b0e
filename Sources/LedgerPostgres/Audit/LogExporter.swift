import Crypto
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Streams events of the log to a sink, in `seq` order, one row at a time (constant memory),
/// as NDJSON (exactly the canonical chain records) or CSV, hashing what it writes.
package struct LogExporter: Sendable {
    /// The CSV header row.
    package static let csvHeader = "seq,stream_id,stream_version,type,occurred_at,data,metadata,prev_hash,hash"

    private let client: PostgresClient
    private let logger: Logger

    package init(client: PostgresClient, logger: Logger) {
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
    package func export(
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
            rows = try await client.query(filter.query(), logger: logger)
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
    package static func csvField(_ field: String) -> String {
        var out: [UInt8] = []
        CSVRow.appendField(field.utf8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
