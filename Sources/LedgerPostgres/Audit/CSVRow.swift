import Foundation
import NIOCore

/// RFC 4180 rows of a CSV export, written byte by byte into the export's output chunk: a
/// 5-million-event export formats 45 million fields.
enum CSVRow {
    /// Appends the CRLF-terminated row of one event:
    /// `seq,stream_id,stream_version,type,occurred_at,data,metadata,prev_hash,hash`, with `data`
    /// and `metadata` in canonical JSON (built in `scratch`, reused across rows).
    static func append(_ row: StoredChainRow, to out: inout [UInt8], scratch: inout [UInt8]) throws(LedgerStoreError) {
        appendField(String(row.seq).utf8, to: &out)
        out.append(.comma)
        appendField(row.streamID.readableBytesView, to: &out)
        out.append(.comma)
        appendField(String(row.streamVersion).utf8, to: &out)
        out.append(.comma)
        appendField(row.type.readableBytesView, to: &out)
        out.append(.comma)
        ExportTime.appendISO8601(milliseconds: row.occurredAtMilliseconds, to: &out)
        out.append(.comma)
        try appendJSONField(row.data, to: &out, scratch: &scratch)
        out.append(.comma)
        try appendJSONField(row.metadata, to: &out, scratch: &scratch)
        out.append(.comma)
        appendHex(row.prevHash, to: &out)
        out.append(.comma)
        appendHex(row.hash, to: &out)
        out.append(contentsOf: [.carriageReturn, .lineFeed])
    }

    /// Appends one field: quoted, its quotes doubled, when it holds a comma, quote, CR or LF.
    static func appendField(_ field: some Collection<UInt8>, to out: inout [UInt8]) {
        guard field.contains(where: { $0 == .comma || $0 == .quote || $0 == .carriageReturn || $0 == .lineFeed }) else {
            out.append(contentsOf: field)
            return
        }
        // Written in one pass into a buffer of the worst-case size, then appended at once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: field.count * 2 + 2) { buffer in
            var length = 0
            buffer[length] = .quote
            length += 1
            for byte in field {
                buffer[length] = byte
                length += 1
                if byte == .quote {
                    buffer[length] = .quote
                    length += 1
                }
            }
            buffer[length] = .quote
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0...length]))
        }
    }

    /// Appends stored `jsonb` text as a field of canonical JSON.
    private static func appendJSONField(_ json: ByteBuffer, to out: inout [UInt8], scratch: inout [UInt8]) throws(LedgerStoreError) {
        scratch.removeAll(keepingCapacity: true)
        try CanonicalJSON.appendCanonical(jsonb: json, to: &scratch)
        scratch.withUnsafeBufferPointer { appendField($0, to: &out) }
    }

    /// Appends the lower-case hex of a stored hash.
    private static func appendHex(_ bytes: ByteBuffer, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.readableBytes * 2) { buffer in
            for (index, byte) in bytes.readableBytesView.enumerated() {
                buffer[2 * index] = hexDigits[Int(byte >> 4)]
                buffer[2 * index + 1] = hexDigits[Int(byte & 0x0F)]
            }
            out.append(contentsOf: buffer)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

extension UInt8 {
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let quote = UInt8(ascii: "\"")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let lineFeed = UInt8(ascii: "\n")
}
