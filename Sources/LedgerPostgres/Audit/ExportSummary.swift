import Foundation

/// What an export wrote: enough for its manifest.
package struct ExportSummary: Sendable, Hashable {
    package var format: ExportFormat
    package var filter: ExportFilter
    package var count: Int64
    package var firstSeq: Int64?
    package var lastSeq: Int64?
    /// The stored `prev_hash` of the first exported event: the chain hash before it.
    package var prevHash: Data?
    /// The stored hash of the last exported event.
    package var lastHash: Data?
    /// SHA-256 of every byte written.
    package var sha256: Data
}
