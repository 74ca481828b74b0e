import Foundation

/// RFC 4180 rows of a CSV export, written byte by byte into the export's output chunk: a
/// 5-million-event export formats 45 million fields.
enum CSVRow {
    /// Appends the CRLF-terminated row of one event:
    /// `seq,stream_id,stream_version,type,occurred_at,data,metadata,prev_hash,hash`, with `data`
    /// and `metadata` in canonical JSON (built in `scratch`, reused across rows).
    static func append(_ row: StoredChainRow, to out: inout [UInt8], scratch: inout [UInt8]) throws(LedgerStoreError) {
        appendField(String(row.seq).utf8, to: &out)
        out.append(.comma)
        appendField(row.streamID.utf8, to: &out)
        out.append(.comma)
        appendField(String(row.streamVersion).utf8, to: &out)
        out.append(.comma)
        appendField(row.type.utf8, to: &out)
        out.append(.comma)
        appendField(ExportTime.iso8601(milliseconds: row.occurredAtMilliseconds).utf8, to: &out)
        for json in [row.data, row.metadata] {
            out.append(.comma)
            scratch.removeAll(keepingCapacity: true)
            try CanonicalJSON.appendCanonical(jsonb: json, to: &scratch)
            appendField(scratch, to: &out)
        }
        out.append(.comma)
        out.append(contentsOf: row.prevHash.hex.utf8)
        out.append(.comma)
        out.append(contentsOf: row.hash.hex.utf8)
        out.append(contentsOf: [.carriageReturn, .lineFeed])
    }

    /// Appends one field: quoted, its quotes doubled, when it holds a comma, quote, CR or LF.
    static func appendField(_ field: some Collection<UInt8>, to out: inout [UInt8]) {
        guard field.contains(where: { $0 == .comma || $0 == .quote || $0 == .carriageReturn || $0 == .lineFeed }) else {
            out.append(contentsOf: field)
            return
        }
        out.append(.quote)
        for byte in field {
            out.append(byte)
            if byte == .quote { out.append(.quote) }
        }
        out.append(.quote)
    }
}

extension UInt8 {
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let quote = UInt8(ascii: "\"")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
}
