import Foundation

/// What an export wrote: enough for its manifest.
public struct ExportSummary: Sendable, Hashable {
    public var format: ExportFormat
    public var filter: ExportFilter
    public var count: Int64
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    /// The stored `prev_hash` of the first exported event: the chain hash before it.
    public var prevHash: Data?
    /// The stored hash of the last exported event.
    public var lastHash: Data?
    /// SHA-256 of every byte written.
    public var sha256: Data
}
