import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerTesting
import Testing

/// ``CanonicalJSONEncoder`` must write exactly what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` writes: stored hashes were computed over those bytes.
@Suite("The canonical encoder writes JSONEncoder's sorted bytes")
struct CanonicalJSONEncoderTests {
    static let foundation = CanonicalJSON.referenceEncoder()

    static func expectSameBytes(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = String(decoding: try foundation.encode(value), as: UTF8.self)
        let actual = String(decoding: try CanonicalJSONEncoder().encode(value), as: UTF8.self)
        #expect(actual == expected, sourceLocation: sourceLocation)
    }

    /// Compares an event's payload, as the log stores it (opens an `any DomainEvent`).
    static func expectSamePayload(_ event: some DomainEvent, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectSameBytes(EventPayload(event), sourceLocation: sourceLocation)
    }

    @Test("every control character, quotes, backslashes, slashes and non-ASCII text")
    func strings() throws {
        var everyASCII = ""
        for byte in 0..<0x80 { everyASCII.unicodeScalars.append(Unicode.Scalar(UInt8(byte))) }
        for text in [everyASCII, "", "/", "\u{7F}\u{80}\u{A0}\u{2028}\u{2029}\u{FEFF}\u{FFFF}", "e\u{301} é 日本語 🔐👩‍💻"] + CanonicalJSONTests.nasty {
            try Self.expectSameBytes(text)
            try Self.expectSameBytes(["key " + text: text])
        }
    }

    @Test("keys sort by their UTF-8 bytes, escaped keys included")
    func keyOrder() throws {
        let keys = ["b", "B", "a", "_", "aa", "a1", "a10", "a2", "é", "ez", "f", "Z", "~", "ÿ", "😀", "\u{FF5E}", "a b", "a\"b", "a\\b", "ab\u{1}", ""]
        try Self.expectSameBytes(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }))
        try Self.expectSameBytes([3: "three", 1: "one", 20: "twenty"])
    }

    @Test("integers at their limits, and the values JSONEncoder formats itself")
    func numbersAndFoundationTypes() throws {
        try Self.expectSameBytes([Int64.min, Int64.max, 0, -1, 10, 1_000_000_007])
        try Self.expectSameBytes([UInt64.max, 0])
        try Self.expectSameBytes(Scalars())
        try Self.expectSameBytes([1.0, 1.5, 1e20, 0.1, -0.0, 123_456_789.125])
    }

    @Test("nested, super and empty encoders, optionals, and a key encoded twice")
    func containerShapes() throws {
        try Self.expectSameBytes(Shapes())
        try Self.expectSameBytes([Shapes(), Shapes()])
        try Self.expectSameBytes(["empty": Silent()])
        #expect(throws: EncodingError.self) { try CanonicalJSONEncoder().encode(Silent()) }
    }

    @Test("random JSON documents", arguments: [UInt64(7), 2026, 99_991])
    func randomDocuments(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 { try Self.expectSameBytes(Self.document(depth: 0, &random)) }
    }

    @Test("every event and projection of a randomized workload")
    func workloadEvents() async throws {
        try await TestDatabase.withLedger { ledger in
            try await RebuildTests.runWorkload(ledger, seed: 5, grantCount: 12, operations: 90)
            let rows = try await ledger.admin.query("SELECT type, data::text FROM events ORDER BY seq").collect()
            #expect(rows.count > 90)
            for row in rows {
                let (type, data) = try row.decode((String, String).self)
                let event = try EventDecoding.decode(type: type, data: Data(data.utf8))
                try Self.expectSamePayload(event.event)
            }
            try Self.expectSameBytes(EventMetadata(actor: "user:ü", clientID: "c/1", requestID: "r\"1", ipHash: "ab"))
        }
    }

    /// A random JSON value with awkward strings and keys.
    static func document(depth: Int, _ random: inout SplitMix64) -> JSONValue {
        let strings = CanonicalJSONTests.nasty + ["", "a", "Z", "\u{0}", "~"]
        switch Int(random.next() % (depth > 3 ? 5 : 7)) {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .int(Int64(bitPattern: random.next()) >> Int64(random.next() % 64))
        case 3: return .double(Double(Int64(bitPattern: random.next() >> 20)) / 1024)
        case 4: return .string(strings[Int(random.next() % UInt64(strings.count))])
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in document(depth: depth + 1, &random) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int(random.next() % 6) {
                object[strings[Int(random.next() % UInt64(strings.count))] + String(random.next() % 3)] = document(depth: depth + 1, &random)
            }
            return .object(object)
        }
    }
}

/// Every scalar type, and the types JSONEncoder gives a form of its own.
private struct Scalars: Encodable {
    var int8 = Int8.min, int16 = Int16.max, int32 = Int32.min, uint = UInt.max, uint8 = UInt8.max
    var uint16 = UInt16.max, uint32 = UInt32.max, float = Float(0.25), double = 2.5, flag = false
    var date = Date(timeIntervalSinceReferenceDate: 5), data = Data([1, 2, 3]), url = URL(string: "https://x.example/a?b=c")!
    var decimal = Decimal(string: "12.5")!
}

/// Nested containers in objects and arrays, super encoders, nil and absent optionals, and a key
/// encoded twice (the last value counts).
private struct Shapes: Encodable {
    enum Key: String, CodingKey { case zeta, alpha, nested, list, absent, null, twice, parent }
    enum Inner: String, CodingKey { case y, x }

    func encode(to encoder: any Encoder) throws {
        var object = encoder.container(keyedBy: Key.self)
        try object.encode("z", forKey: .zeta)
        try object.encodeIfPresent(nil as String?, forKey: .absent)
        try object.encodeNil(forKey: .null)
        var nested = object.nestedContainer(keyedBy: Inner.self, forKey: .nested)
        try nested.encode(2, forKey: .y)
        try nested.encode([1, 2], forKey: .x)
        var list = object.nestedUnkeyedContainer(forKey: .list)
        try list.encode("first")
        var element = list.nestedContainer(keyedBy: Inner.self)
        try element.encode(true, forKey: .x)
        var inner = list.nestedUnkeyedContainer()
        try inner.encodeNil()
        try inner.encode(Int8(-3))
        try Silent().encode(to: list.superEncoder())
        try object.encode(1, forKey: .twice)
        try object.encode(2, forKey: .twice)
        try "from super".encode(to: object.superEncoder(forKey: .parent))
        try object.encode("a", forKey: .alpha)
        var again = encoder.container(keyedBy: Inner.self)
        try again.encode("added through a second container", forKey: .x)
    }
}

/// A value that encodes nothing.
private struct Silent: Encodable {
    func encode(to encoder: any Encoder) throws {}
}
