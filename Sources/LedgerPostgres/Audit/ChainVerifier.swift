import Crypto
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Walks the hash chain of the log (all of it, or a sequence range) and reports the first
/// broken link: a missing or out-of-place sequence number, a row whose contents no longer hash
/// to its stored hash, a `prev_hash` that does not point at the row before, or a chain head
/// that does not match the last row.
package struct ChainVerifier: Sendable {
    /// What the walk found.
    package enum Report: Sendable, Hashable, CustomStringConvertible {
        /// Every link from `first` to `last` holds (`count` events).
        case intact(first: Int64, last: Int64, count: Int64, headHash: Data)
        /// The first broken link.
        case broken(ChainBreak)

        package var description: String {
            switch self {
            case .intact(let first, let last, let count, let hash):
                count == 0
                    ? "chain intact: no events in range"
                    : "chain intact: \(count) events, seq \(first)…\(last), head hash \(hash.hex)"
            case .broken(let link): "chain BROKEN at seq \(link.seq): \(link.problem)"
            }
        }
    }

    /// One broken link.
    package struct ChainBreak: Sendable, Hashable {
        /// The sequence number where the chain stops holding.
        package var seq: Int64
        /// What is wrong there.
        package var problem: String
    }

    private let client: PostgresClient
    private let logger: Logger

    /// Creates a verifier.
    package init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Verifies events with `from <= seq <= to` (nil bounds: start or end of the log). A whole-log
    /// walk also checks the chain head row.
    package func verify(from: Int64? = nil, to: Int64? = nil) async throws(LedgerStoreError) -> Report {
        let start = max(from ?? 1, 1)
        do {
            var expected = start
            var previous = try await anchor(before: start)
            var count: Int64 = 0
            let rows = try await client.query(
                "SELECT \(unescaped: StoredChainRow.selectList) FROM events WHERE seq >= \(start) AND seq <= \(to ?? Int64.max) ORDER BY seq",
                logger: logger
            )
            var record: [UInt8] = []
            for try await cells in rows {
                let row = try StoredChainRow(cells)
                let seq = row.seq
                if seq != expected {
                    return .broken(ChainBreak(seq: expected, problem: seq > expected
                        ? "seq \(expected) is missing (the next row is seq \(seq))"
                        : "seq \(seq) appears out of order"))
                }
                if !row.prevHash.readableBytesView.elementsEqual(previous) {
                    return .broken(ChainBreak(seq: seq, problem: "prev_hash does not match the hash of seq \(seq - 1): rows were removed, inserted or reordered"))
                }
                record.removeAll(keepingCapacity: true)
                try row.appendRecord(to: &record)
                var hasher = SHA256()
                hasher.update(data: previous)
                hasher.update(data: record)
                let recomputed = Data(hasher.finalize())
                if !row.hash.readableBytesView.elementsEqual(recomputed) {
                    return .broken(ChainBreak(seq: seq, problem: "contents do not hash to the stored hash: the row was edited"))
                }
                previous = recomputed
                expected += 1
                count += 1
            }
            if to == nil, let link = try await headProblem(lastSeq: expected - 1, lastHash: previous) {
                return .broken(link)
            }
            return .intact(first: start, last: expected - 1, count: count, headHash: previous)
        } catch let error as LedgerStoreError {
            throw error
        } catch {
            throw LedgerStoreError(.unavailable, "verify failed: \(PostgresErrorSummary(error))")
        }
    }

    /// The hash the event at `seq` must chain onto: genesis for seq 1, else the stored hash of
    /// the row before (itself covered when the walk starts earlier).
    private func anchor(before seq: Int64) async throws -> Data {
        guard seq > 1 else { return ChainRecord.genesisHash }
        let rows = try await client.query("SELECT hash FROM events WHERE seq = \(seq - 1)", logger: logger)
        for try await hash in rows.decode(ByteBuffer.self) { return Data(buffer: hash) }
        throw LedgerStoreError(.unavailable, "seq \(seq - 1) is missing, the range has no anchor")
    }

    /// Compares the chain head with the end of the walk. The break is the first seq the two
    /// disagree on: the first removed row, the first row added behind the writer's back, or the
    /// last row when only the hashes differ (it was replaced by a rehashed one).
    private func headProblem(lastSeq: Int64, lastHash: Data) async throws -> ChainBreak? {
        guard let head = try await LogHead.stored(client, logger: logger) else {
            return ChainBreak(seq: lastSeq + 1, problem: "the chain head row is missing")
        }
        if head.seq != lastSeq {
            return ChainBreak(
                seq: min(head.seq, lastSeq) + 1,
                problem: "the chain head says seq \(head.seq) but the log ends at seq \(lastSeq): trailing rows were removed or added"
            )
        }
        if head.hash != lastHash {
            return ChainBreak(seq: lastSeq, problem: "the chain head hash does not match the last row: it was replaced")
        }
        return nil
    }
}
