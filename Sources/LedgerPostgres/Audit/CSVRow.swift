import Foundation

/// RFC 4180 rows of a CSV export, written byte by byte into the export's output chunk: a
/// 5-million-event export formats 45 million fields.
enum CSVRow {
    /// Appends the CRLF-terminated row of one event:
    /// `seq,stream_id,stream_version,type,occurred_at,data,metadata,prev_hash,hash`.
    static func append(_ record: ChainRecord, prevHash: Data, hash: Data, to out: inout Data) {
        appendField(String(record.seq).utf8, to: &out)
        out.append(.comma)
        appendField(record.streamID.utf8, to: &out)
        out.append(.comma)
        appendField(String(record.streamVersion).utf8, to: &out)
        out.append(.comma)
        appendField(record.type.utf8, to: &out)
        out.append(.comma)
        appendField(ExportTime.iso8601(milliseconds: record.occurredAtMilliseconds).utf8, to: &out)
        out.append(.comma)
        appendField(record.data, to: &out)
        out.append(.comma)
        appendField(record.metadata, to: &out)
        out.append(.comma)
        out.append(contentsOf: prevHash.hex.utf8)
        out.append(.comma)
        out.append(contentsOf: hash.hex.utf8)
        out.append(contentsOf: [.carriageReturn, .lineFeed])
    }

    /// Appends one field: quoted, its quotes doubled, when it holds a comma, quote, CR or LF.
    static func appendField(_ field: some Collection<UInt8>, to out: inout Data) {
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
