import Foundation

/// The last committed event's sequence number and hash.
package struct ChainHead: Sendable, Hashable {
    package var seq: Int64
    package var hash: Data

    /// Creates a head.
    package init(seq: Int64, hash: Data) {
        self.seq = seq
        self.hash = hash
    }

    /// The head of an empty log.
    package static let genesis = ChainHead(seq: 0, hash: ChainRecord.genesisHash)
}
