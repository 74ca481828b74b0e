import Foundation

/// Which events an export holds. Every non-nil field narrows the selection.
package struct ExportFilter: Sendable, Hashable, Codable {
    package var fromSeq: Int64?
    package var toSeq: Int64?
    /// Events that occurred at or after this instant.
    package var since: Date?
    /// Events that occurred before this instant.
    package var until: Date?
    /// Exact event type names (any of them); empty means every type.
    package var types: [String]
    /// Events whose `data->>'sub'` is this subject, or on the stream of a grant of this subject.
    package var subject: String?
    /// Events whose `data->>'client_id'` or metadata `client_id` is this client, or on the
    /// stream of a grant of this client.
    package var client: String?

    package init(
        fromSeq: Int64? = nil, toSeq: Int64? = nil, since: Date? = nil, until: Date? = nil, types: [String] = [],
        subject: String? = nil, client: String? = nil
    ) {
        self.fromSeq = fromSeq
        self.toSeq = toSeq
        self.since = since
        self.until = until
        self.types = types
        self.subject = subject
        self.client = client
    }

    /// True when the filter is at most a sequence range, so the export is a contiguous piece
    /// of the chain that can be re-walked from its `prev_hash`.
    package var isSeqRangeOnly: Bool {
        since == nil && until == nil && types.isEmpty && subject == nil && client == nil
    }

    enum CodingKeys: String, CodingKey {
        case fromSeq = "from_seq", toSeq = "to_seq", since, until, types, subject, client
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fromSeq = try c.decodeIfPresent(Int64.self, forKey: .fromSeq)
        toSeq = try c.decodeIfPresent(Int64.self, forKey: .toSeq)
        since = try c.decodeIfPresent(String.self, forKey: .since).map(Self.parseDate)
        until = try c.decodeIfPresent(String.self, forKey: .until).map(Self.parseDate)
        types = try c.decodeIfPresent([String].self, forKey: .types) ?? []
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        client = try c.decodeIfPresent(String.self, forKey: .client)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(fromSeq, forKey: .fromSeq)
        try c.encodeIfPresent(toSeq, forKey: .toSeq)
        try c.encodeIfPresent(since.map(ExportTime.iso8601), forKey: .since)
        try c.encodeIfPresent(until.map(ExportTime.iso8601), forKey: .until)
        if !types.isEmpty { try c.encode(types, forKey: .types) }
        try c.encodeIfPresent(subject, forKey: .subject)
        try c.encodeIfPresent(client, forKey: .client)
    }

    private static func parseDate(_ text: String) throws -> Date {
        guard let date = ExportTime.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an ISO 8601 time: \(text)"))
        }
        return date
    }
}
