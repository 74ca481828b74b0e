import Foundation
import LedgerDomain

/// One event ready for the log: its type name and canonical JSON payload and metadata.
package struct NewEvent: Sendable, Hashable {
    package var type: String
    /// Canonical JSON of the payload.
    package var data: Data
    /// Canonical JSON of the metadata.
    package var metadata: Data

    /// Encodes a domain event and its metadata canonically. Refuses text PostgreSQL's `jsonb`
    /// cannot store (U+0000) here, for this caller alone: inside a batch it would fail the
    /// whole `ledger_append` statement, and with it every other caller's append.
    package init(_ event: some DomainEvent, metadata: EventMetadata) throws(LedgerStoreError) {
        try self.init(event, encodedMetadata: try CanonicalJSON.encode(metadata))
    }

    /// Encodes a domain event with metadata already in canonical JSON (the events of one
    /// command share their metadata: encoded once).
    package init(_ event: some DomainEvent, encodedMetadata: Data) throws(LedgerStoreError) {
        self.type = event.typeName
        self.data = try CanonicalJSON.encode(EventPayload(event))
        self.metadata = encodedMetadata
        if Self.containsEscapedNUL(self.data) || Self.containsEscapedNUL(self.metadata) {
            throw LedgerStoreError(.encoding, "\(type): text contains U+0000, which jsonb cannot store")
        }
    }

    /// Whether JSON text contains the escape `\u0000` (JSON writes U+0000 only that way).
    static func containsEscapedNUL(_ json: Data) -> Bool {
        let bytes = [UInt8](json)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\\") else { i += 1; continue }
            if i + 5 < bytes.count, bytes[i + 1] == UInt8(ascii: "u"), bytes[(i + 2)...(i + 5)].allSatisfy({ $0 == UInt8(ascii: "0") }) {
                return true
            }
            i += 2  // skip the escaped character, so `\\u0000` (a backslash, then text) does not count
        }
        return false
    }
}

/// Encodes only the payload of a domain event: what the log's `data` column holds.
package struct EventPayload<Event: DomainEvent>: Encodable {
    package var event: Event

    /// The payload of `event`.
    package init(_ event: Event) { self.event = event }

    package func encode(to encoder: any Encoder) throws { try event.encodePayload(to: encoder) }
}

/// Events for one stream, appended only if the stream is still at `expectedVersion` and every
/// stream of the read set still at the version read, with the projection rows they change.
package struct PendingAppend: Sendable {
    package var stream: StreamID
    /// The stream version the decision was made against (0 for a new stream). It must be a
    /// version the caller read: `ledger_append` finds a moved stream by the row its first event
    /// would collide with.
    package var expectedVersion: Int64
    package var events: [NewEvent]
    package var projection: ProjectionDelta
    /// Other streams the decision read, with the versions read (such as the client whose
    /// registration authorized a token). Any of them moved: nothing is written, `staleRead`.
    package var readSet: [StreamID: Int64]

    /// Creates an append.
    package init(
        stream: StreamID, expectedVersion: Int64, events: [NewEvent], projection: ProjectionDelta = ProjectionDelta(),
        readSet: [StreamID: Int64] = [:]
    ) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
        self.projection = projection
        self.readSet = readSet
    }

    /// The stream version after this append.
    package var newVersion: Int64 { expectedVersion + Int64(events.count) }
}

/// Where an append landed in the log.
package struct AppendReceipt: Sendable, Hashable {
    /// Global sequence number of the first event appended (equal to `lastSeq + 1` if none).
    package var firstSeq: Int64
    /// Global sequence number of the last event appended.
    package var lastSeq: Int64
    /// The stream's version after the append.
    package var streamVersion: Int64
}
