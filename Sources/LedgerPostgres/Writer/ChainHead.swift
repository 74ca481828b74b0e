import Foundation

/// The last committed event's sequence number and hash.
public struct ChainHead: Sendable, Hashable {
    public var seq: Int64
    public var hash: Data

    /// Creates a head.
    public init(seq: Int64, hash: Data) {
        self.seq = seq
        self.hash = hash
    }

    /// The head of an empty log.
    public static let genesis = ChainHead(seq: 0, hash: ChainRecord.genesisHash)
}
