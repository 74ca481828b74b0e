import Foundation
import LedgerDomain

/// One event ready for the log: its type name and canonical JSON payload and metadata.
public struct NewEvent: Sendable, Hashable {
    public var type: String
    /// Canonical JSON of the payload.
    public var data: Data
    /// Canonical JSON of the metadata.
    public var metadata: Data

    /// Encodes a domain event and its metadata canonically.
    public init(_ event: some DomainEvent, metadata: EventMetadata) throws(LedgerStoreError) {
        self.type = event.typeName
        self.data = try CanonicalJSON.encode(PayloadOf(event: event))
        self.metadata = try CanonicalJSON.encode(metadata)
    }
}

/// Encodes only the payload of a domain event.
private struct PayloadOf<Event: DomainEvent>: Encodable {
    var event: Event
    func encode(to encoder: any Encoder) throws { try event.encodePayload(to: encoder) }
}

/// Events for one stream, appended only if the stream is still at `expectedVersion`, with the
/// projection rows they change.
public struct PendingAppend: Sendable {
    public var stream: StreamID
    /// The stream version the decision was made against (0 for a new stream).
    public var expectedVersion: Int64
    public var events: [NewEvent]
    public var projection: ProjectionDelta

    /// Creates an append.
    public init(stream: StreamID, expectedVersion: Int64, events: [NewEvent], projection: ProjectionDelta = ProjectionDelta()) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
        self.projection = projection
    }

    /// The stream version after this append.
    public var newVersion: Int64 { expectedVersion + Int64(events.count) }
}

/// Where an append landed in the log.
public struct AppendReceipt: Sendable, Hashable {
    /// Global sequence number of the first event appended (equal to `lastSeq + 1` if none).
    public var firstSeq: Int64
    /// Global sequence number of the last event appended.
    public var lastSeq: Int64
    /// The stream's version after the append.
    public var streamVersion: Int64
}
