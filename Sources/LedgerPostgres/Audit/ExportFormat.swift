/// The output format of an export.
package enum ExportFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// One canonical chain record (``ChainRecord/canonicalBytes``) per line.
    case ndjson
    /// RFC 4180 CSV with a header row, hashes in hex.
    case csv
}
