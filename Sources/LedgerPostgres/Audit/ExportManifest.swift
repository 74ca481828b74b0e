import Crypto
import Foundation

/// The manifest of an export: what it holds and the chain hashes at both ends, signed so an
/// auditor can check the file offline.
package struct ExportManifest: Sendable, Hashable, Codable {
    package var format: ExportFormat
    package var filter: ExportFilter
    package var count: Int64
    package var firstSeq: Int64?
    package var lastSeq: Int64?
    /// Hex of the chain hash before the first exported event.
    package var prevHash: String?
    /// Hex of the hash of the last exported event.
    package var lastHash: String?
    /// Hex SHA-256 of the export file.
    package var sha256: String
    package var issuer: String
    /// ISO 8601, UTC.
    package var createdAt: String

    enum CodingKeys: String, CodingKey {
        case format, filter, count, firstSeq = "first_seq", lastSeq = "last_seq", prevHash = "prev_hash"
        case lastHash = "last_hash", sha256, issuer, createdAt = "created_at"
    }

    package init(_ summary: ExportSummary, issuer: String, createdAt: Date) {
        format = summary.format
        filter = summary.filter
        count = summary.count
        firstSeq = summary.firstSeq
        lastSeq = summary.lastSeq
        prevHash = summary.prevHash?.hex
        lastHash = summary.lastHash?.hex
        sha256 = summary.sha256.hex
        self.issuer = issuer
        self.createdAt = ExportTime.iso8601(createdAt)
    }

    /// The manifest as canonical JSON (sorted keys).
    package func json() throws -> Data { try CanonicalJSON.encode(self) }
}

/// The manifest file: the manifest and a JWS over it (typ `tokenledger-export-manifest+jwt`)
/// whose payload is the same manifest.
package struct ExportManifestFile: Sendable, Hashable, Codable {
    package var manifest: ExportManifest
    package var jws: String

    package init(manifest: ExportManifest, jws: String) {
        self.manifest = manifest
        self.jws = jws
    }
}

/// The offline check of an export file against its manifest (signature aside): SHA-256 and
/// count of the file and, for NDJSON exports of a plain seq range, the chain re-walked line by
/// line from the manifest's `prev_hash` to its `last_hash`. Reads the file in chunks.
package enum ExportFileCheck {
    /// The first problem found, or nil when the file matches the manifest.
    package static func check(fileAt url: URL, against manifest: ExportManifest) throws -> String? {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        return try check(chunks: { try handle.read(upToCount: 1 << 16) }, against: manifest)
    }

    /// As `check(fileAt:against:)`, reading chunks from `next` until it returns nil or empty.
    package static func check(chunks next: () throws -> Data?, against manifest: ExportManifest) throws -> String? {
        var fileHasher = SHA256()
        let walk = manifest.format == .ndjson && manifest.filter.isSeqRangeOnly
        var chain: Data?
        if walk {
            if manifest.count == 0 {
                chain = Data()
            } else {
                guard let hex = manifest.prevHash, let prev = Data(hex: hex), prev.count == 32 else {
                    return "manifest prev_hash is missing or not a 32-byte hex hash"
                }
                chain = prev
            }
        }
        var lines: Int64 = 0
        var expectedSeq = manifest.firstSeq
        var problem: String?

        func line(_ bytes: [UInt8]) {
            lines += 1
            guard problem == nil else { return }
            switch manifest.format {
            case .csv:
                return  // the header and rows are counted; rows are not re-walked
            case .ndjson:
                guard CanonicalJSON.isCanonical(bytes) else {
                    let parses = (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
                    problem = parses
                        ? "line \(lines)\(Self.seq(of: bytes).map { " (seq \($0))" } ?? ""): not in canonical form, the line was edited"
                        : "line \(lines): not a JSON event record"
                    return
                }
                guard let seq = Self.seq(of: bytes) else {
                    problem = "line \(lines): not a JSON event record"
                    return
                }
                if walk {
                    if let expected = expectedSeq, seq != expected {
                        problem = "line \(lines): seq \(seq), expected \(expected): lines were removed, added, reordered or edited"
                        return
                    }
                    expectedSeq = seq + 1
                    var hasher = SHA256()
                    hasher.update(data: chain ?? Data())
                    hasher.update(data: bytes)
                    chain = Data(hasher.finalize())
                }
            }
        }

        // Complete lines are taken from `pending` by index; the consumed prefix is dropped once per chunk.
        var pending: [UInt8] = []
        while let chunk = try next(), !chunk.isEmpty {
            fileHasher.update(data: chunk)
            pending.append(contentsOf: chunk)
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                var bytes = Array(pending[start..<newline])
                if manifest.format == .csv, bytes.last == 13 { bytes.removeLast() }
                line(bytes)
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty {
            line(pending)
            if problem == nil { problem = "line \(lines): the file does not end with a newline (truncated?)" }
        }
        if let problem { return problem }
        // CSV rows may hold quoted newlines, so only NDJSON line counts are event counts.
        if manifest.format == .ndjson, lines != manifest.count {
            return "the file has \(lines) events, the manifest says \(manifest.count)"
        }
        if walk, manifest.count > 0, chain?.hex != manifest.lastHash {
            return "the chain re-walked from prev_hash ends at \(chain?.hex ?? "-"), the manifest's last_hash is \(manifest.lastHash ?? "-"): a line was edited"
        }
        let digest = Data(fileHasher.finalize()).hex
        if digest != manifest.sha256 {
            return "the file's SHA-256 is \(digest), the manifest says \(manifest.sha256)"
        }
        return nil
    }

    /// The `seq` of a canonical event record. Keys are sorted, so `seq` is followed only by
    /// `stream_id`, `stream_version` and `type`, whose strings cannot hold an unescaped quote:
    /// the last `,"seq":` of the line is the record's own.
    static func seq(of line: [UInt8]) -> Int64? {
        let key = Array(#","seq":"#.utf8)
        guard line.count > key.count else { return nil }
        var index = line.count - key.count
        while index >= 0, !line[index..<(index + key.count)].elementsEqual(key) { index -= 1 }
        guard index >= 0 else { return nil }
        let digits = line[(index + key.count)...].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return Int64(String(decoding: digits, as: UTF8.self))
    }
}

extension Data {
    /// Decodes lower- or upper-case hex; nil when malformed.
    package init?(hex: String) {
        let bytes = Array(hex.utf8)
        guard bytes.count % 2 == 0 else { return nil }
        var out = Data(capacity: bytes.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var i = 0
        while i < bytes.count {
            guard let hi = nibble(bytes[i]), let lo = nibble(bytes[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        self = out
    }
}
