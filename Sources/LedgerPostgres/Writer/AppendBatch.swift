import Foundation
import NIOCore

/// The column arrays of one `ledger_append` call, computed from a head and a list of appends:
/// sequence numbers continue the head, each event's hash chains onto the previous one.
struct AppendBatch: Sendable {
    var streams: [String] = []
    var expectedVersions: [Int64] = []
    /// The read sets of the appends, flattened: stream, version read, 1-based append index.
    var readStreams: [String] = []
    var readVersions: [Int64] = []
    var readAppends: [Int32] = []
    var eventStreams: [String] = []
    var eventVersions: [Int64] = []
    var eventTypes: [String] = []
    var eventData: [String] = []
    var eventMetadata: [String] = []
    var prevHashes: [ByteBuffer] = []
    var hashes: [ByteBuffer] = []
    /// The projection rows as JSON; nil when the batch changes none.
    var projectionJSON: String?
    /// The receipts each append gets if the batch commits.
    var receipts: [AppendReceipt] = []
    /// The head after the batch.
    var newHead: ChainHead
    let occurredAtMilliseconds: Int64

    init(head: ChainHead, appends: [PendingAppend], occurredAtMilliseconds: Int64) throws(LedgerStoreError) {
        self.occurredAtMilliseconds = occurredAtMilliseconds
        var seq = head.seq
        var previous = head.hash
        var projection = ProjectionDelta()
        for append in appends {
            streams.append(append.stream.description)
            expectedVersions.append(append.expectedVersion)
            for (stream, version) in append.readSet {
                readStreams.append(stream.description)
                readVersions.append(version)
                readAppends.append(Int32(streams.count))
            }
            let first = seq + 1
            for (offset, event) in append.events.enumerated() {
                seq += 1
                let record = ChainRecord(
                    seq: seq, streamID: append.stream.description, streamVersion: append.expectedVersion + Int64(offset) + 1,
                    type: event.type, data: event.data, metadata: event.metadata, occurredAtMilliseconds: occurredAtMilliseconds
                )
                let hash = record.hash(after: previous)
                eventStreams.append(record.streamID)
                eventVersions.append(record.streamVersion)
                eventTypes.append(record.type)
                eventData.append(String(decoding: record.data, as: UTF8.self))
                eventMetadata.append(String(decoding: record.metadata, as: UTF8.self))
                prevHashes.append(ByteBuffer(bytes: previous))
                hashes.append(ByteBuffer(bytes: hash))
                previous = hash
            }
            receipts.append(AppendReceipt(firstSeq: first, lastSeq: seq, streamVersion: append.newVersion))
            projection.merge(append.projection)
        }
        newHead = ChainHead(seq: seq, hash: previous)
        guard !projection.isEmpty else { return }
        projectionJSON = String(decoding: try CanonicalJSON.bytes(projection), as: UTF8.self)
    }
}
