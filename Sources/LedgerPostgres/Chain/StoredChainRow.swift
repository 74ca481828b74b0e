import Foundation
import NIOCore

/// One `events` row as the chain sees it: the canonical record rebuilt from the stored columns,
/// and the stored hashes. `audit verify` and exports read rows this one way.
struct StoredChainRow {
    /// The select list, in the order of ``Columns``.
    static let selectList = """
        seq, stream_id, stream_version, type, data::text, metadata::text,
        (extract(epoch FROM occurred_at) * 1000)::bigint, prev_hash, hash
        """

    /// The decoded columns of ``selectList``; `data` and `metadata` stay raw text bytes.
    typealias Columns = (Int64, String, Int64, String, ByteBuffer, ByteBuffer, Int64, ByteBuffer, ByteBuffer)

    var record: ChainRecord
    var prevHash: Data
    var hash: Data

    /// Rebuilds the record, turning the stored `jsonb` text back into canonical JSON.
    init(_ columns: Columns) throws(LedgerStoreError) {
        let (seq, stream, version, type, data, metadata, occurred, prevHash, hash) = columns
        record = ChainRecord(
            seq: seq, streamID: stream, streamVersion: version, type: type,
            data: try CanonicalJSON.canonicalize(jsonb: data), metadata: try CanonicalJSON.canonicalize(jsonb: metadata),
            occurredAtMilliseconds: occurred
        )
        self.prevHash = Data(buffer: prevHash)
        self.hash = Data(buffer: hash)
    }
}
