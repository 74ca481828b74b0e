import Foundation

/// The canonical form (``CanonicalJSON``) of the text PostgreSQL prints for a `jsonb` value,
/// computed in one pass without building a JSON tree: exports and `audit verify` turn millions
/// of stored payloads back into the bytes they were hashed over.
///
/// PostgreSQL prints `jsonb` with a space after `:` and `,` and object keys ordered by length
/// first; the canonical form has no whitespace and keys in byte order. Strings and integers
/// already read the same in both (PostgreSQL and `JSONEncoder` escape `"`, `\`, `\b`, `\f`,
/// `\n`, `\r` and `\t` alike and leave `/` and non-ASCII text as is), so they are copied. Where
/// the two could differ — a `\u` escape, whose hex digits' case is the printer's choice, an
/// escape inside a key, a number that is not an integer — the pass gives up and the caller
/// takes the slow, always-right path through ``CanonicalJSON/canonicalize(_:)``.
enum JSONBText {
    /// The canonical bytes of `text`, or nil when the fast path cannot vouch for them.
    static func canonical(_ text: UnsafeRawBufferPointer) -> [UInt8]? {
        var output: [UInt8] = []
        return appendCanonical(text, to: &output) ? output : nil
    }

    /// Appends the canonical bytes of `text` to `output`; false (with `output` holding a
    /// partial result the caller discards) when the fast path cannot vouch for them.
    static func appendCanonical(_ text: UnsafeRawBufferPointer, to output: inout [UInt8]) -> Bool {
        var parser = Parser(input: text.bindMemory(to: UInt8.self))
        guard parser.value(into: &output) else { return false }
        parser.skipSpace()
        return parser.atEnd
    }

    private struct Parser {
        let input: UnsafeBufferPointer<UInt8>
        var position = 0

        /// An object member: its key (quotes included) and its value, a range of the input for a
        /// scalar (copied as it is) or of the object's rebuilt containers.
        struct Member {
            var key: Range<Int>
            var value: Range<Int>
            var rebuilt: Bool
        }

        var atEnd: Bool { position == input.count }

        mutating func skipSpace() {
            while position < input.count, input[position] == .space || input[position] == .newline || input[position] == .tab
                || input[position] == .carriageReturn
            {
                position += 1
            }
        }

        mutating func value(into output: inout [UInt8]) -> Bool {
            skipSpace()
            guard position < input.count else { return false }
            switch input[position] {
            case .openBrace: return object(into: &output)
            case .openBracket: return array(into: &output)
            default: return scalar(into: &output)
            }
        }

        /// A string, integer or literal, copied.
        mutating func scalar(into output: inout [UInt8]) -> Bool {
            guard let range = scalar() else { return false }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: input[range]))
            return true
        }

        /// The input range of a string, integer or literal the canonical form writes as it is.
        mutating func scalar() -> Range<Int>? {
            switch input[position] {
            case .quote: return string()
            case .minus, .zero ... .nine: return integer()
            case .t: return literal("true")
            case .f: return literal("false")
            case .n: return literal("null")
            default: return nil
            }
        }

        /// The range of a string literal, quotes included; nil for a `\u` escape or a malformed string.
        mutating func string() -> Range<Int>? {
            let start = position
            position += 1
            while position < input.count {
                switch input[position] {
                case .quote:
                    position += 1
                    return start..<position
                case .backslash:
                    guard position + 1 < input.count, Self.copiedEscapes.contains(input[position + 1]) else { return nil }
                    position += 2
                case 0..<0x20:
                    return nil
                default:
                    position += 1
                }
            }
            return nil
        }

        mutating func object(into output: inout [UInt8]) -> Bool {
            position += 1
            var members: [Member] = []
            var rebuilt: [UInt8] = []
            skipSpace()
            if position < input.count, input[position] == .closeBrace {
                position += 1
            } else {
                while true {
                    skipSpace()
                    guard position < input.count, input[position] == .quote, let key = string(),
                        !input[key].contains(.backslash)
                    else { return false }
                    skipSpace()
                    guard position < input.count, input[position] == .colon else { return false }
                    position += 1
                    skipSpace()
                    guard position < input.count else { return false }
                    if input[position] == .openBrace || input[position] == .openBracket {
                        let start = rebuilt.count
                        guard value(into: &rebuilt) else { return false }
                        members.append(Member(key: key, value: start..<rebuilt.count, rebuilt: true))
                    } else {
                        guard let value = scalar() else { return false }
                        members.append(Member(key: key, value: value, rebuilt: false))
                    }
                    skipSpace()
                    guard position < input.count else { return false }
                    position += 1
                    if input[position - 1] == .closeBrace { break }
                    guard input[position - 1] == .comma else { return false }
                }
            }
            if members.count > 1 {
                members.sort { keyOrder($0.key, $1.key) < 0 }
                // A repeated key (never in jsonb, possible in a file being checked): stand aside.
                for index in members.indices.dropFirst() where keyOrder(members[index - 1].key, members[index].key) == 0 {
                    return false
                }
            }
            output.append(.openBrace)
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(.comma) }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: input[member.key]))
                output.append(.colon)
                if member.rebuilt {
                    output.append(contentsOf: rebuilt[member.value])
                } else {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: input[member.value]))
                }
            }
            output.append(.closeBrace)
            return true
        }

        /// Byte order of two keys' text, quotes excluded (a `"` would sort above a space).
        func keyOrder(_ a: Range<Int>, _ b: Range<Int>) -> Int32 {
            let (lengthA, lengthB) = (a.count - 2, b.count - 2)
            guard let base = input.baseAddress else { return 0 }
            let order = memcmp(base + a.lowerBound + 1, base + b.lowerBound + 1, min(lengthA, lengthB))
            return order != 0 ? order : lengthA < lengthB ? -1 : lengthA > lengthB ? 1 : 0
        }

        mutating func array(into output: inout [UInt8]) -> Bool {
            position += 1
            output.append(.openBracket)
            skipSpace()
            if position < input.count, input[position] == .closeBracket {
                position += 1
                output.append(.closeBracket)
                return true
            }
            while true {
                guard value(into: &output) else { return false }
                skipSpace()
                guard position < input.count else { return false }
                let separator = input[position]
                position += 1
                output.append(separator)
                if separator == .closeBracket { return true }
                guard separator == .comma else { return false }
            }
        }

        mutating func integer() -> Range<Int>? {
            let start = position
            if input[position] == .minus { position += 1 }
            let digits = position
            while position < input.count, (.zero ... .nine).contains(input[position]) { position += 1 }
            // Exactly what an encoder writes for an Int64: no leading zero, no `-0`, at most 18 digits.
            guard position > digits, position - digits <= 18,
                input[digits] != .zero || (position - digits == 1 && digits == start)
            else { return nil }
            if position < input.count, input[position] == .dot || input[position] == .e || input[position] == .upperE { return nil }
            return start..<position
        }

        mutating func literal(_ word: StaticString) -> Range<Int>? {
            let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard position + bytes.count <= input.count, input[position..<(position + bytes.count)].elementsEqual(bytes) else {
                return nil
            }
            position += bytes.count
            return (position - bytes.count)..<position
        }

        /// Escapes both printers write the same way.
        static let copiedEscapes: Set<UInt8> = [.quote, .backslash, .b, .f, .n, .r, .t]
    }
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let newline = UInt8(ascii: "\n")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let openBrace = UInt8(ascii: "{")
    fileprivate static let closeBrace = UInt8(ascii: "}")
    fileprivate static let openBracket = UInt8(ascii: "[")
    fileprivate static let closeBracket = UInt8(ascii: "]")
    fileprivate static let quote = UInt8(ascii: "\"")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let minus = UInt8(ascii: "-")
    fileprivate static let dot = UInt8(ascii: ".")
    fileprivate static let zero = UInt8(ascii: "0")
    fileprivate static let nine = UInt8(ascii: "9")
    fileprivate static let b = UInt8(ascii: "b")
    fileprivate static let e = UInt8(ascii: "e")
    fileprivate static let upperE = UInt8(ascii: "E")
    fileprivate static let f = UInt8(ascii: "f")
    fileprivate static let n = UInt8(ascii: "n")
    fileprivate static let r = UInt8(ascii: "r")
    fileprivate static let t = UInt8(ascii: "t")
}
