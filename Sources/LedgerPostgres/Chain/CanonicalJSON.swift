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
        do {
            return try encoder.encode(value)
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

    /// Re-encodes the text PostgreSQL prints for a `jsonb` value in canonical form: in one pass
    /// when ``JSONBText`` can vouch for the result, else through ``canonicalize(_:)``.
    public static func canonicalize(jsonb text: ByteBuffer) throws(LedgerStoreError) -> Data {
        if let fast = text.withUnsafeReadableBytes({ JSONBText.canonical($0) }) { return Data(fast) }
        return try canonicalize(Data(buffer: text))
    }

    /// A JSON string literal for `text`, escaped as the canonical form escapes it. Identifiers
    /// made only of characters JSON never escapes are quoted directly (the hot path of the
    /// writer); anything else goes through the encoder.
    public static func quoted(_ text: String) -> Data {
        if text.utf8.allSatisfy({ plain[Int($0)] }) {
            var data = Data(capacity: text.utf8.count + 2)
            data.append(UInt8(ascii: "\""))
            data.append(contentsOf: text.utf8)
            data.append(UInt8(ascii: "\""))
            return data
        }
        // A string always encodes.
        return (try? encoder.encode(text)) ?? Data()
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

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
