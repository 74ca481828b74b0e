import Crypto
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import NIOCore
import PostgresNIO
import Testing

/// `LogExporter` against a real log (the 20-event layout of ``TamperDetectionTests``: seq 1–5
/// grant A of alice, 6–10 grant B of bob, 11–20 five rotations of grant A), and the offline
/// check of its files.
@Suite("Audit exports")
struct ExportTests {
    /// Exports into memory.
    static func export(
        _ ledger: TestDatabase.Ledger, _ filter: ExportFilter = ExportFilter(), format: ExportFormat = .ndjson
    ) async throws -> (Data, ExportSummary) {
        var out = Data()
        let summary = try await LogExporter(client: ledger.admin, logger: testLogger).export(filter, format: format) { out.append($0) }
        return (out, summary)
    }

    static func manifest(_ summary: ExportSummary) -> ExportManifest {
        ExportManifest(summary, issuer: "https://issuer.example", createdAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// The offline check of in-memory bytes, fed in small chunks so lines straddle them.
    static func check(_ bytes: Data, _ manifest: ExportManifest) throws -> String? {
        var offset = 0
        return try ExportFileCheck.check(chunks: {
            defer { offset += 7 }
            return offset < bytes.count ? bytes.subdata(in: offset..<min(offset + 7, bytes.count)) : nil
        }, against: manifest)
    }

    static func seqs(ofNDJSON bytes: Data) throws -> [Int64] {
        try bytes.split(separator: UInt8(ascii: "\n")).map {
            try #require((try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any])?["seq"] as? NSNumber).int64Value
        }
    }

    @Test("an export of several formatting batches keeps seq order and hashes every byte in order", arguments: ExportFormat.allCases)
    func manyBatches(format: ExportFormat) async throws {
        try await TestDatabase.withLedger { ledger in
            // 2,600 events: two full batches of 1,024 and a remainder.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<1300 {
                    group.addTask { _ = try await ledger.primary.writer.append(try probeAppend("many-\(index)", expecting: 0, events: 2)) }
                }
                try await group.waitForAll()
            }
            let (bytes, summary) = try await Self.export(ledger, format: format)
            #expect(summary.count == 2600)
            #expect((summary.firstSeq, summary.lastSeq) == (1, 2600))
            #expect(Data(SHA256.hash(data: bytes)) == summary.sha256)
            var chunks = [bytes][...]
            #expect(try ExportFileCheck.check(chunks: { chunks.popFirst() }, against: Self.manifest(summary)) == nil)
            if format == .ndjson { #expect(try Self.seqs(ofNDJSON: bytes) == Array(1...2600)) }
        }
    }

    @Test("an NDJSON export is the canonical records; counts, end hashes and SHA-256 match; the chain re-walks")
    func ndjsonWhole() async throws {
        try await TestDatabase.withLedger { ledger in
            try await TamperDetectionTests.buildLog(ledger)
            let (bytes, summary) = try await Self.export(ledger)
            #expect(summary.count == 20 && summary.firstSeq == 1 && summary.lastSeq == 20)
            #expect(summary.prevHash == ChainRecord.genesisHash)
            #expect(try await [summary.lastHash] == ledger.admin.bytes("SELECT hash FROM ledger_head").map(Optional.some))
            #expect(summary.sha256 == Data(SHA256.hash(data: bytes)))
            #expect(bytes.last == UInt8(ascii: "\n"))

            // Every line hashes, chained, to the stored hash of its row.
            let stored = try await ledger.admin.bytes("SELECT hash FROM events ORDER BY seq")
            var previous = ChainRecord.genesisHash
            for (line, hash) in zip(bytes.split(separator: UInt8(ascii: "\n")), stored) {
                previous = Data(SHA256.hash(data: previous + Data(line)))
                #expect(previous == hash)
            }
            #expect(try Self.seqs(ofNDJSON: bytes) == Array(1...20))
            let manifest = Self.manifest(summary)
            #expect(try Self.check(bytes, manifest) == nil)

            // The manifest round-trips through its JSON.
            let decoded = try JSONDecoder().decode(ExportManifest.self, from: manifest.json())
            #expect(decoded == manifest)
            let json = String(decoding: try manifest.json(), as: UTF8.self)
            #expect(json.hasPrefix(#"{"count":20,"created_at":"2027-01-15T08:00:00.000Z","filter":{},"first_seq":1,"format":"ndjson","#))
        }
    }

    @Test("a seq range export starts from the stored hash before it and re-walks")
    func ndjsonRange() async throws {
        try await TestDatabase.withLedger { ledger in
            try await TamperDetectionTests.buildLog(ledger)
            let (bytes, summary) = try await Self.export(ledger, ExportFilter(fromSeq: 5, toSeq: 10))
            #expect(try Self.seqs(ofNDJSON: bytes) == Array(5...10))
            #expect(try await [summary.prevHash!, summary.lastHash!] == ledger.admin.bytes("SELECT hash FROM events WHERE seq IN (4, 10) ORDER BY seq"))
            #expect(try Self.check(bytes, Self.manifest(summary)) == nil)
        }
    }

    @Test("editing one byte of an export makes the offline check fail, at that line where the line shows it")
    func tamperedExport() async throws {
        try await TestDatabase.withLedger { ledger in
            try await TamperDetectionTests.buildLog(ledger)
            let (bytes, summary) = try await Self.export(ledger)
            let manifest = Self.manifest(summary)
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Data($0) }

            func edited(line: Int, _ from: String, _ to: String) throws -> Data {
                var copy = lines
                let text = String(decoding: copy[line - 1], as: UTF8.self)
                let range = try #require(text.range(of: from))
                copy[line - 1] = Data(text.replacingCharacters(in: range, with: to).utf8)
                let out = Data(copy.joined(separator: [UInt8(ascii: "\n")]))
                #expect(out.count == bytes.count && zip(out, bytes).filter { $0 != $1 }.count == 1)
                return out
            }

            // A seq digit: the line is out of sequence.
            let seq = try #require(try Self.check(edited(line: 7, #""seq":7,"#, #""seq":8,"#), manifest))
            #expect(seq.hasPrefix("line 7: seq 8, expected 7"), "\(seq)")
            // A structural byte: the line no longer parses.
            let broken = try #require(try Self.check(edited(line: 12, #""seq":12,"#, #""seq":12;"#), manifest))
            #expect(broken.hasPrefix("line 12: not a JSON event record"), "\(broken)")
            // A value byte keeps the line canonical: only the re-walked chain shows it.
            let value = try #require(try Self.check(edited(line: 3, "grant.", "grunt."), manifest))
            #expect(value.contains("last_hash"), "\(value)")
            // A dropped line.
            lines.remove(at: 4)
            let dropped = try #require(try Self.check(Data(lines.joined(separator: [UInt8(ascii: "\n")])), manifest))
            #expect(dropped.hasPrefix("line 5: seq 6, expected 5"), "\(dropped)")
            // The manifest's sha256 alone.
            var wrongHash = manifest
            wrongHash.sha256 = String(repeating: "0", count: 64)
            #expect(try Self.check(bytes, wrongHash)?.contains("SHA-256") == true)
        }
    }

    @Test("a filtered export holds exactly the selected events")
    func filtered() async throws {
        try await TestDatabase.withLedger { ledger in
            try await TamperDetectionTests.buildLog(ledger)
            func seqs(_ filter: ExportFilter) async throws -> [Int64] {
                let (bytes, summary) = try await Self.export(ledger, filter)
                #expect(try Self.check(bytes, Self.manifest(summary)) == nil)
                #expect(summary.count == Int64(try Self.seqs(ofNDJSON: bytes).count))
                return try Self.seqs(ofNDJSON: bytes)
            }
            #expect(try await seqs(ExportFilter(types: ["grant.started"])) == [1, 6])
            #expect(try await seqs(ExportFilter(types: ["grant.started", "grant.code.issued"])) == [1, 2, 6, 7])
            #expect(try await seqs(ExportFilter(subject: "bob")) == Array(6...10))
            #expect(try await seqs(ExportFilter(subject: "alice")) == Array(1...5) + Array(11...20))
            #expect(try await seqs(ExportFilter(subject: "nobody")) == [])
            #expect(try await seqs(ExportFilter(toSeq: 12, subject: "alice")) == Array(1...5) + [11, 12])
            #expect(try await seqs(ExportFilter(client: "client-a")) == Array(1...20))
            #expect(try await seqs(ExportFilter(client: "client-b")) == [])
            // Times: occurred_at is the wall clock of the append, so the expectation comes from the rows.
            let times = try await ledger.admin.query(
                "SELECT seq, (extract(epoch FROM occurred_at) * 1000)::bigint FROM events ORDER BY seq", logger: testLogger
            ).collect().map { try $0.decode((Int64, Int64).self) }
            let pivot = try #require(times.first { $0.0 == 11 }).1
            let date = { (ms: Int64) in Date(timeIntervalSince1970: Double(ms) / 1000) }
            #expect(try await seqs(ExportFilter(since: date(pivot))) == times.filter { $0.1 >= pivot }.map(\.0))
            #expect(try await seqs(ExportFilter(until: date(pivot))) == times.filter { $0.1 < pivot }.map(\.0))
            #expect(try await seqs(ExportFilter(since: date(times.last!.1 + 1))) == [])
            let at = date(times[0].1)
            #expect(try await seqs(ExportFilter(since: at, types: ["grant.started"], subject: "bob")) == [6])

            // The filter travels in the manifest, and a filtered export is not re-walked.
            let (_, summary) = try await Self.export(ledger, ExportFilter(since: at, types: ["grant.started"], subject: "bob"))
            let json = String(decoding: try Self.manifest(summary).json(), as: UTF8.self)
            let since = ExportTime.iso8601(milliseconds: times[0].1)
            #expect(json.contains(#""filter":{"since":"\#(since)","subject":"bob","types":["grant.started"]}"#), "\(json)")
            #expect(try JSONDecoder().decode(ExportManifest.self, from: Self.manifest(summary).json()).filter.since == at)
        }
    }

    @Test("export times without a formatter equal ISO8601DateFormatter's, leap days and year ends included")
    func iso8601() {
        var random = SplitMix64(seed: 0x150_8601)
        #expect(ExportTime.iso8601(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(ExportTime.iso8601(milliseconds: 951_868_799_999) == "2000-02-29T23:59:59.999Z")
        #expect(ExportTime.iso8601(milliseconds: 1_767_225_599_999) == "2025-12-31T23:59:59.999Z")
        #expect(ExportTime.iso8601(milliseconds: 4_107_542_400_001) == "2100-03-01T00:00:00.001Z")
        #expect(ExportTime.iso8601(milliseconds: 253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        // Quarter seconds are exact in binary, so the formatter's Double cannot round them.
        for _ in 0..<2000 {
            let ms = Int64(random.next() % 253_402_300_799) * 1000 + Int64(random.next() % 4) * 250
            #expect(ExportTime.iso8601(milliseconds: ms) == ExportTime.iso8601(Date(timeIntervalSince1970: Double(ms) / 1000)), "\(ms)")
        }
    }

    @Test("CSV quotes fields with commas, quotes and newlines (RFC 4180)")
    func csv() async throws {
        #expect(LogExporter.csvField("plain") == "plain")
        #expect(LogExporter.csvField(#"a,"b""#) == #""a,""b""""#)
        #expect(LogExporter.csvField("x\r\ny") == "\"x\r\ny\"")
        try await TestDatabase.withLedger { ledger in
            let subject = "o'brien, \"bobby\"\nline two"
            _ = try await GrantFixtures.activeGrant(in: ledger.primary.grants, subject: Subject(subject), context: testContext)
            let (bytes, summary) = try await Self.export(ledger, format: .csv)
            #expect(summary.count == 5 && summary.sha256 == Data(SHA256.hash(data: bytes)))
            #expect(try Self.check(bytes, Self.manifest(summary)) == nil)
            let rows = try Self.parseCSV(String(decoding: bytes, as: UTF8.self))
            #expect(rows.first == LogExporter.csvHeader.split(separator: ",").map(String.init))
            #expect(rows.count == 6 && rows.allSatisfy { $0.count == 9 })

            let stored = try await ledger.admin.query(
                "SELECT seq, data::text, prev_hash, hash, (extract(epoch FROM occurred_at) * 1000)::bigint FROM events ORDER BY seq",
                logger: testLogger
            ).collect()
            for (row, db) in zip(rows.dropFirst(), stored) {
                let (seq, data, prev, hash, ms) = try db.decode((Int64, String, ByteBuffer, ByteBuffer, Int64).self)
                #expect(row[0] == String(seq))
                #expect(row[4] == ExportTime.iso8601(milliseconds: ms) && row[4].hasSuffix("Z"))
                #expect(Data(row[5].utf8) == (try CanonicalJSON.canonicalize(Data(data.utf8))))
                #expect(row[7] == Data(buffer: prev).hex && row[8] == Data(buffer: hash).hex)
            }
            let started = try #require(rows.dropFirst().first)
            let payload = try #require(try JSONSerialization.jsonObject(with: Data(started[5].utf8)) as? [String: Any])
            #expect(payload["sub"] as? String == subject)
        }
    }

    /// A small RFC 4180 reader for the test.
    static func parseCSV(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                try #require(field.isEmpty, "quote inside an unquoted field")
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\r" {
                try #require(chars.popFirst() == "\n", "bare CR")
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                try #require(c != "\n", "bare LF outside quotes")
                field.unicodeScalars.append(c)
            }
        }
        try #require(!quoted && row.isEmpty && field.isEmpty, "unterminated last row")
        return rows
    }
}
