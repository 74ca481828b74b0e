import Crypto
import Foundation

/// One event as the chain sees it: everything that is hashed, in the canonical record form
///
///     {"data":…,"metadata":…,"occurred_at":<unix ms>,"seq":N,"stream_id":"…","stream_version":N,"type":"…"}
///
/// (keys sorted, `data` and `metadata` canonical JSON). `hash = SHA-256(prev_hash || record)`.
/// The NDJSON export writes exactly this record, one per line.
package struct ChainRecord: Sendable, Hashable {
    package var seq: Int64
    package var streamID: String
    package var streamVersion: Int64
    package var type: String
    /// Canonical JSON of the payload.
    package var data: Data
    /// Canonical JSON of the metadata.
    package var metadata: Data
    package var occurredAtMilliseconds: Int64

    /// Creates a record; `data` and `metadata` must already be canonical.
    package init(
        seq: Int64, streamID: String, streamVersion: Int64, type: String, data: Data, metadata: Data,
        occurredAtMilliseconds: Int64
    ) {
        self.seq = seq
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.type = type
        self.data = data
        self.metadata = metadata
        self.occurredAtMilliseconds = occurredAtMilliseconds
    }

    /// The canonical bytes of the record.
    package var canonicalBytes: Data {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + metadata.count + streamID.utf8.count + type.utf8.count + 120)
        Self.write(
            seq: seq, streamID: streamID.utf8, streamVersion: streamVersion, type: type.utf8,
            occurredAtMilliseconds: occurredAtMilliseconds, to: &out,
            data: { $0.append(contentsOf: data) }, metadata: { $0.append(contentsOf: metadata) }
        )
        return Data(out)
    }

    /// The one layout of a canonical record, appended to `out`; `data` and `metadata` append
    /// their canonical JSON. Exports and `audit verify` call it with the stored `jsonb` text
    /// canonicalized straight into the output.
    static func write<Failure: Error>(
        seq: Int64, streamID: some Collection<UInt8>, streamVersion: Int64, type: some Collection<UInt8>, occurredAtMilliseconds: Int64,
        to out: inout [UInt8], data: (inout [UInt8]) throws(Failure) -> Void, metadata: (inout [UInt8]) throws(Failure) -> Void
    ) throws(Failure) {
        out.append(contentsOf: #"{"data":"#.utf8)
        try data(&out)
        out.append(contentsOf: #","metadata":"#.utf8)
        try metadata(&out)
        out.append(contentsOf: #","occurred_at":"#.utf8)
        out.append(contentsOf: String(occurredAtMilliseconds).utf8)
        out.append(contentsOf: #","seq":"#.utf8)
        out.append(contentsOf: String(seq).utf8)
        out.append(contentsOf: #","stream_id":"#.utf8)
        CanonicalJSON.appendQuoted(utf8: streamID, to: &out)
        out.append(contentsOf: #","stream_version":"#.utf8)
        out.append(contentsOf: String(streamVersion).utf8)
        out.append(contentsOf: #","type":"#.utf8)
        CanonicalJSON.appendQuoted(utf8: type, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// `SHA-256(previous || canonicalBytes)`.
    package func hash(after previous: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonicalBytes)
        return Data(hasher.finalize())
    }

    /// The hash that precedes the first event: 32 zero bytes.
    package static let genesisHash = Data(repeating: 0, count: 32)
}
