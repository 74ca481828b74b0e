import Foundation

/// Encodes `Encodable` values straight to ``CanonicalJSON`` bytes: byte for byte what
/// `JSONEncoder` writes with `.sortedKeys` and `.withoutEscapingSlashes`, at a fraction of its
/// cost. Every event, projection row and access token of the hot path is encoded here.
///
/// Scalars are written to one byte arena as they are encoded; objects keep their members
/// (key, value) until the end, when each object's keys are put in UTF-8 byte order (the order
/// `JSONEncoder` sorts in) and the bytes are joined. Strings are escaped exactly as
/// `JSONEncoder` escapes them: `"` and `\`, the short forms `\b \f \n \r \t`, other control
/// characters as `\u00xx` with lowercase hex, and nothing else. Values whose form is
/// `JSONEncoder`'s own choice (floating-point numbers, `Date`, `Data`, `URL`, `Decimal`) are
/// handed to `JSONEncoder` one at a time, so they read the same too.
package struct CanonicalJSONEncoder: Sendable {
    /// Creates an encoder.
    package init() {}

    /// The canonical JSON bytes of `value`.
    package func encode(_ value: some Encodable) throws -> [UInt8] {
        let state = EncodingState()
        let node = try state.node(for: value, parent: nil, key: nil)
        if case .pending(let encoder) = node, encoder.node == nil {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(type(of: value)) did not encode any values.")
            )
        }
        var output: [UInt8] = []
        output.reserveCapacity(state.arena.count + 16)
        state.write(node, to: &output)
        return output
    }

    /// Appends `text` as a JSON string literal, escaped as ``CanonicalJSON`` escapes it.
    static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        var text = text
        output.append(UInt8(ascii: "\""))
        text.withUTF8 { appendEscaped($0, to: &output) }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-8 text, escaped for the inside of a JSON string literal.
    static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            output.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
            case 0x08: output.append(UInt8(ascii: "b"))
            case 0x0C: output.append(UInt8(ascii: "f"))
            case 0x0A: output.append(UInt8(ascii: "n"))
            case 0x0D: output.append(UInt8(ascii: "r"))
            case 0x09: output.append(UInt8(ascii: "t"))
            default:
                output.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            }
            runStart = index + 1
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }

    /// Appends an integer in decimal.
    static func appendInteger(_ value: some FixedWidthInteger, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = UInt64(value.magnitude)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A value encoded but for the order of its objects' members.
enum EncodedNode {
    /// Canonical bytes in the arena.
    case scalar(Range<Int>)
    case object(ObjectNode)
    case array(ArrayNode)
    /// Whatever an encoder handed out (`superEncoder`, a value's own `encode(to:)`) holds when
    /// the output is written; `{}` if nothing was encoded into it, as `JSONEncoder` writes.
    case pending(NodeEncoder)
}

/// An object's members in the order they were encoded.
final class ObjectNode {
    var keys: [String] = []
    var values: [EncodedNode] = []

    func append(_ key: String, _ value: EncodedNode) {
        keys.append(key)
        values.append(value)
    }
}

/// An array's elements.
final class ArrayNode {
    var elements: [EncodedNode] = []
}

/// The arena and the final write of one `encode` call.
final class EncodingState {
    var arena: [UInt8] = []

    init() { arena.reserveCapacity(512) }

    /// The node of any value: scalars of the common types written at once, the values only
    /// `JSONEncoder` knows how to write through it, everything else through its `encode(to:)`.
    func node<T: Encodable>(for value: T, parent: NodeEncoder?, key: (any CodingKey)?) throws -> EncodedNode {
        if T.self == String.self { return string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return integer(unsafeBitCast(value, to: Int.self)) }
        if T.self == Int64.self { return integer(unsafeBitCast(value, to: Int64.self)) }
        if T.self == Bool.self { return bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self || T.self == Float.self || T.self == Date.self || T.self == Data.self
            || T.self == URL.self || T.self == Decimal.self
        {
            return try foundation(value)
        }
        let encoder = NodeEncoder(state: self, parent: parent, key: key)
        try value.encode(to: encoder)
        return encoder.node ?? .pending(encoder)
    }

    func string(_ value: String) -> EncodedNode {
        let start = arena.count
        CanonicalJSONEncoder.appendQuoted(value, to: &arena)
        return .scalar(start..<arena.count)
    }

    func integer(_ value: some FixedWidthInteger) -> EncodedNode {
        let start = arena.count
        CanonicalJSONEncoder.appendInteger(value, to: &arena)
        return .scalar(start..<arena.count)
    }

    func bool(_ value: Bool) -> EncodedNode { literal(value ? "true" : "false") }

    func null() -> EncodedNode { literal("null") }

    /// A value as `JSONEncoder` writes it on its own.
    func foundation(_ value: some Encodable) throws -> EncodedNode {
        let start = arena.count
        arena.append(contentsOf: try Self.foundationEncoder.encode(value))
        return .scalar(start..<arena.count)
    }

    private func literal(_ word: StaticString) -> EncodedNode {
        let start = arena.count
        arena.append(contentsOf: UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
        return .scalar(start..<arena.count)
    }

    /// Writes `node` with every object's keys in byte order; of a key encoded twice, the last
    /// value counts.
    func write(_ node: EncodedNode, to output: inout [UInt8]) {
        switch node {
        case .scalar(let range):
            arena.withUnsafeBufferPointer { output.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
        case .array(let array):
            output.append(UInt8(ascii: "["))
            for (index, element) in array.elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            let order = object.keys.indices.sorted { a, b in
                let (keyA, keyB) = (object.keys[a].utf8, object.keys[b].utf8)
                return keyA.elementsEqual(keyB) ? a < b : keyA.lexicographicallyPrecedes(keyB)
            }
            var first = true
            for (position, index) in order.enumerated() {
                if position + 1 < order.count, object.keys[order[position + 1]].utf8.elementsEqual(object.keys[index].utf8) { continue }
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                CanonicalJSONEncoder.appendQuoted(object.keys[index], to: &output)
                output.append(UInt8(ascii: ":"))
                write(object.values[index], to: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .pending(let encoder):
            if let resolved = encoder.node {
                write(resolved, to: &output)
            } else {
                output.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
            }
        }
    }

    private static let foundationEncoder = CanonicalJSON.referenceEncoder()
}
