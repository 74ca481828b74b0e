import Foundation
import NIOCore
import PostgresNIO

/// One `events` row as the chain sees it, decoded straight from PostgreSQL's binary columns:
/// `audit verify` and exports read millions of rows this one way and write the canonical
/// record (``ChainRecord``) without building it first.
struct StoredChainRow: Sendable {
    /// The select list, in the order ``init(_:)`` reads it. The columns stay in their stored
    /// types: casting `jsonb` to text or computing epoch milliseconds in SQL costs the server
    /// more than reading them here.
    static let selectList = "seq, stream_id, stream_version, type, data, metadata, occurred_at, prev_hash, hash"

    var seq: Int64
    /// UTF-8 text of `stream_id`.
    var streamID: ByteBuffer
    var streamVersion: Int64
    /// UTF-8 text of `type`.
    var type: ByteBuffer
    /// The `jsonb` text PostgreSQL prints for `data`.
    var data: ByteBuffer
    /// The `jsonb` text PostgreSQL prints for `metadata`.
    var metadata: ByteBuffer
    var occurredAtMilliseconds: Int64
    var prevHash: ByteBuffer
    var hash: ByteBuffer

    /// Decodes a row of ``selectList``.
    init(_ row: PostgresRow) throws(LedgerStoreError) {
        var cells = row.makeIterator()
        func next() throws(LedgerStoreError) -> ByteBuffer {
            guard let cell = cells.next(), cell.format == .binary, let bytes = cell.bytes else {
                throw LedgerStoreError(.encoding, "an events row is missing a column")
            }
            return bytes
        }
        seq = try Self.int64(next())
        streamID = try next()
        streamVersion = try Self.int64(next())
        type = try next()
        data = try Self.jsonbText(next())
        metadata = try Self.jsonbText(next())
        occurredAtMilliseconds = Self.unixMilliseconds(postgresMicroseconds: try Self.int64(next()))
        prevHash = try next()
        hash = try next()
    }

    /// Appends the canonical record of the row.
    func appendRecord(to out: inout [UInt8]) throws(LedgerStoreError) {
        try ChainRecord.write(
            seq: seq, streamID: streamID.readableBytesView, streamVersion: streamVersion, type: type.readableBytesView,
            occurredAtMilliseconds: occurredAtMilliseconds, to: &out,
            data: { (out: inout [UInt8]) throws(LedgerStoreError) in try CanonicalJSON.appendCanonical(jsonb: data, to: &out) },
            metadata: { (out: inout [UInt8]) throws(LedgerStoreError) in try CanonicalJSON.appendCanonical(jsonb: metadata, to: &out) }
        )
    }

    private static func int64(_ buffer: ByteBuffer) throws(LedgerStoreError) -> Int64 {
        guard buffer.readableBytes == 8, let value = buffer.getInteger(at: buffer.readerIndex, as: Int64.self) else {
            throw LedgerStoreError(.encoding, "an events column is not an 8-byte integer")
        }
        return value
    }

    /// The text of binary `jsonb`: a version byte (1), then the text.
    private static func jsonbText(_ buffer: ByteBuffer) throws(LedgerStoreError) -> ByteBuffer {
        guard buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 1,
            let text = buffer.getSlice(at: buffer.readerIndex + 1, length: buffer.readableBytes - 1)
        else {
            throw LedgerStoreError(.encoding, "an events column is not jsonb version 1")
        }
        return text
    }

    /// Binary `timestamptz` counts microseconds from 2000-01-01; events are stored at whole
    /// milliseconds (a remainder rounds half away from zero, as `extract(epoch …)` would).
    static func unixMilliseconds(postgresMicroseconds micros: Int64) -> Int64 {
        let (quotient, remainder) = micros.quotientAndRemainder(dividingBy: 1000)
        let rounded = remainder >= 500 ? quotient + 1 : remainder <= -500 ? quotient - 1 : quotient
        return rounded + 946_684_800_000
    }
}
