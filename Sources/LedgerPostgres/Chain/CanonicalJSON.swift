import Foundation
import LedgerDomain
import NIOCore

/// The one canonical JSON form events are hashed and exported in: what `JSONEncoder` writes
/// with `.sortedKeys` and `.withoutEscapingSlashes` — UTF-8, no insignificant whitespace, object
/// keys sorted at every depth, `/` not escaped, numbers as integers (events never carry
/// floating-point values).
///
/// Re-canonicalizing what PostgreSQL's `jsonb` hands back (decode into a generic JSON value,
/// encode again) yields the same bytes that were hashed on write, which is what lets
/// `audit verify` recompute the chain from the table.
public enum CanonicalJSON {
    /// Encodes a value canonically.
    public static func encode(_ value: some Encodable) throws(LedgerStoreError) -> Data {
        Data(try bytes(value))
    }

    /// Encodes a value canonically, as bytes.
    public static func bytes(_ value: some Encodable) throws(LedgerStoreError) -> [UInt8] {
        do {
            return try CanonicalJSONEncoder().encode(value)
        } catch {
            throw LedgerStoreError(.encoding, "cannot encode \(type(of: value)): \(error)")
        }
    }

    /// Re-encodes any JSON text in canonical form.
    public static func canonicalize(_ json: Data) throws(LedgerStoreError) -> Data {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw LedgerStoreError(.encoding, "not canonicalizable JSON: \(error)")
        }
        return try encode(value)
    }

    /// Re-encodes the text PostgreSQL prints for a `jsonb` value in canonical form.
    public static func canonicalize(jsonb text: ByteBuffer) throws(LedgerStoreError) -> Data {
        var out: [UInt8] = []
        try appendCanonical(jsonb: text, to: &out)
        return Data(out)
    }

    /// Appends the canonical form of `jsonb` text to `out`: in one pass when ``JSONBText`` can
    /// vouch for the result, else through ``canonicalize(_:)``.
    static func appendCanonical(jsonb text: ByteBuffer, to out: inout [UInt8]) throws(LedgerStoreError) {
        let start = out.count
        if text.withUnsafeReadableBytes({ JSONBText.appendCanonical($0, to: &out) }) { return }
        out.removeSubrange(start...)
        out.append(contentsOf: try canonicalize(Data(buffer: text)))
    }

    /// Whether `json` is exactly its own canonical form (valid UTF-8 included).
    public static func isCanonical(_ json: [UInt8]) -> Bool {
        guard String(validating: json, as: UTF8.self) != nil else { return false }
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        if json.withUnsafeBytes({ JSONBText.appendCanonical($0, to: &out) }) { return out == json }
        return (try? canonicalize(Data(json))).map { $0.elementsEqual(json) } ?? false
    }

    /// A JSON string literal for `text`, escaped as the canonical form escapes it. Identifiers
    /// made only of characters JSON never escapes are quoted directly (the hot path of the
    /// writer); anything else goes through the encoder.
    public static func quoted(_ text: String) -> Data {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return Data(out)
    }

    /// Appends ``quoted(_:)`` of `text` to `out`.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        appendQuoted(utf8: text.utf8, to: &out)
    }

    /// Appends ``quoted(_:)`` of the UTF-8 text `utf8` to `out`.
    static func appendQuoted(utf8: some Collection<UInt8>, to out: inout [UInt8]) {
        let isPlain = utf8.withContiguousStorageIfAvailable { bytes in
            plain.withUnsafeBufferPointer { table in bytes.allSatisfy { table[Int($0)] } }
        } ?? utf8.allSatisfy { plain[Int($0)] }
        if isPlain {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: utf8)
            out.append(UInt8(ascii: "\""))
        } else {
            CanonicalJSONEncoder.appendQuoted(String(decoding: utf8, as: UTF8.self), to: &out)
        }
    }

    /// Bytes that stand for themselves inside a JSON string: ASCII letters, digits and `-_.:/@+`.
    private static let plain: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "@"), UInt8(ascii: "+"):
            true
        default:
            false
        }
    }
}
