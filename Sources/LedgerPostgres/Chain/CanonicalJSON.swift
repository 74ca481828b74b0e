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
package enum CanonicalJSON {
    /// Encodes a value canonically.
    package static func encode(_ value: some Encodable) throws(LedgerStoreError) -> Data {
        Data(try bytes(value))
    }

    /// Encodes a value canonically, as bytes.
    package static func bytes(_ value: some Encodable) throws(LedgerStoreError) -> [UInt8] {
        do {
            return try CanonicalJSONEncoder().encode(value)
        } catch {
            throw LedgerStoreError(.encoding, "cannot encode \(type(of: value)): \(error)")
        }
    }

    /// Re-encodes any JSON text in canonical form.
    package static func canonicalize(_ json: Data) throws(LedgerStoreError) -> Data {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw LedgerStoreError(.encoding, "not canonicalizable JSON: \(error)")
        }
        return try encode(value)
    }

    /// Re-encodes the text PostgreSQL prints for a `jsonb` value in canonical form.
    package static func canonicalize(jsonb text: ByteBuffer) throws(LedgerStoreError) -> Data {
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
    package static func isCanonical(_ json: [UInt8]) -> Bool {
        guard String(validating: json, as: UTF8.self) != nil else { return false }
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        if json.withUnsafeBytes({ JSONBText.appendCanonical($0, to: &out) }) { return out == json }
        return (try? canonicalize(Data(json))).map { $0.elementsEqual(json) } ?? false
    }

    /// A JSON string literal for `text`, escaped as the canonical form escapes it.
    package static func quoted(_ text: String) -> Data {
        var out: [UInt8] = []
        appendQuoted(utf8: text.utf8, to: &out)
        return Data(out)
    }

    /// Appends ``quoted(_:)`` of the UTF-8 text `utf8` to `out`. ASCII (stream ids and type
    /// names: the hot path of the writer) is escaped in place; other text goes through a
    /// `String`, which repairs invalid UTF-8 as `String(decoding:as:)` does.
    static func appendQuoted(utf8: some Collection<UInt8>, to out: inout [UInt8]) {
        let quotedInPlace = utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
            out.append(UInt8(ascii: "\""))
            CanonicalJSONEncoder.appendEscaped(bytes, to: &out)
            out.append(UInt8(ascii: "\""))
            return true
        } ?? false
        if !quotedInPlace { CanonicalJSONEncoder.appendQuoted(String(decoding: utf8, as: UTF8.self), to: &out) }
    }

    /// The `JSONEncoder` whose output the canonical form is defined as: `.sortedKeys` and
    /// `.withoutEscapingSlashes`. ``CanonicalJSONEncoder`` writes the same bytes without it,
    /// and hands it the values whose form is `JSONEncoder`'s own choice.
    package static func referenceEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
