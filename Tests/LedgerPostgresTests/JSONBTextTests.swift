import Foundation
@testable import LedgerPostgres
import LedgerTesting
import NIOCore
import PostgresNIO
import Testing

@Suite("The one-pass jsonb canonicalizer agrees with the slow path or stands aside")
struct JSONBTextTests {
    /// What PostgreSQL prints for each document, fast path against `canonicalize(_:)`.
    @Test("random documents printed by PostgreSQL: the fast path equals the slow path whenever it answers")
    func agreesWithSlowPath() async throws {
        var random = SplitMix64(seed: 0x5EED_7E57)
        let documents = (0..<400).map { _ in Self.document(depth: 0, &random) }
        try await TestDatabase.withLedger { ledger in
            let rows = try await ledger.admin.query("SELECT d::jsonb::text FROM unnest(\(documents)) AS d").collect()
            var answered = 0
            for row in rows {
                let text = try row.decode(String.self)
                let slow = try CanonicalJSON.canonicalize(Data(text.utf8))
                if let fast = ByteBuffer(string: text).withUnsafeReadableBytes({ JSONBText.canonical($0) }) {
                    #expect(Data(fast) == slow, "\(text)")
                    answered += 1
                }
                #expect(try CanonicalJSON.canonicalize(jsonb: ByteBuffer(string: text)) == slow)
            }
            #expect(rows.count == documents.count)
            // Most documents carry no \u escape or fraction, so the fast path must be taking them.
            #expect(answered > documents.count / 3)
        }
    }

    @Test("the exact cases: key order, spacing, escapes copied, and where it stands aside")
    func exactCases() throws {
        func fast(_ text: String) -> String? {
            ByteBuffer(string: text).withUnsafeReadableBytes { JSONBText.canonical($0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(fast(#"{"b": 1, "aa": [1, {"z": null, "y": true}], "a b": "x", "a": {}}"#)
            == #"{"a":{},"a b":"x","aa":[1,{"y":true,"z":null}],"b":1}"#)
        #expect(fast(#"{"s": "q\"b\\n\n\t/é"}"#) == #"{"s":"q\"b\\n\n\t/é"}"#)
        #expect(fast(#"[]"#) == "[]")
        #expect(fast(#"-12"#) == "-12")
        #expect(fast(#"{"s": "\u0001"}"#) == nil)
        #expect(fast(#"{"a\"b": 1}"#) == nil)
        #expect(fast(#"{"n": 1.5}"#) == nil)
        #expect(fast(#"{"n": 1e3}"#) == nil)
        for broken in ["", "{", #"{"a" 1}"#, #"{"a": 1"#, "[1, 2", "tru", #""open"#, "{} x"] {
            #expect(fast(broken) == nil, "\(broken)")
        }
    }

    @Test("isCanonical accepts exactly the canonical form, whichever path decides")
    func isCanonical() throws {
        let canonical = #"{"a":{"b":[1,-2,0],"c":"é/\n"},"b":true,"c":null}"#
        #expect(CanonicalJSON.isCanonical(Array(canonical.utf8)))
        #expect(CanonicalJSON.isCanonical(Array(#"{"s":"\u0001"}"#.utf8)))
        for edited in [
            #"{"a": 1}"#, #"{"b":1,"a":2}"#, #"{"a":1,"a":1}"#, #"{"s":"\/"}"#, #"{"s":"\u00e9"}"#, #"{"n":007}"#,
            #"{"n":-0}"#, #"{"n":1.0}"#, #"{"a":1}x"#, "",
        ] {
            #expect(!CanonicalJSON.isCanonical(Array(edited.utf8)), "\(edited)")
        }
        #expect(!CanonicalJSON.isCanonical(Array(#"{"s":""#.utf8) + [0xC3] + Array(#""}"#.utf8)))
    }

    private static let strings = ["plain", "é/日本", "quote \" and \\ backslash", "line\nbreak\ttab", "ctl \u{01}\u{1F}", "", " space", "😀"]

    private static func document(depth: Int, _ random: inout SplitMix64) -> String {
        let kind = depth > 2 ? random.next() % 4 : random.next() % 6
        switch kind {
        case 0: return String(Int64(bitPattern: random.next()) >> Int64(random.next() % 63))
        case 1: return ["true", "false", "null", "1.25", "-0.5e2"][Int(random.next() % 5)]
        case 2, 3: return quoted(strings[Int(random.next() % UInt64(strings.count))])
        case 4: return "[" + (0..<Int(random.next() % 4)).map { _ in document(depth: depth + 1, &random) }.joined(separator: ",") + "]"
        default:
            let keys = ["a", "b", "aa", "a_b", "a b", "A", "z", "to", "token_hash", "é", "k\"q"]
            let members = (0..<Int(random.next() % 6)).map { _ in
                quoted(keys[Int(random.next() % UInt64(keys.count))]) + ":" + document(depth: depth + 1, &random)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
