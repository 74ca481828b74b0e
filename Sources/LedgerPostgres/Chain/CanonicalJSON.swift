import Foundation

/// The one canonical JSON form events are hashed and exported in: UTF-8, no insignificant
/// whitespace, object keys sorted by their UTF-16 code units, `/` not escaped, numbers as
/// integers (events never carry floating-point values).
///
/// Re-canonicalizing what PostgreSQL's `jsonb` hands back yields the same bytes that were
/// hashed on write, which is what lets `audit verify` recompute the chain from the table.
public enum CanonicalJSON {
    /// Re-encodes any JSON text in canonical form.
    public static func canonicalize(_ json: Data) throws(LedgerStoreError) -> Data {
        do {
            let object = try JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed])
            return try JSONSerialization.data(withJSONObject: object, options: options)
        } catch {
            throw LedgerStoreError(.encoding, "not canonicalizable JSON: \(error)")
        }
    }

    /// Encodes a value with `JSONEncoder`, then canonicalizes it.
    public static func encode(_ value: some Encodable) throws(LedgerStoreError) -> Data {
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw LedgerStoreError(.encoding, "cannot encode \(type(of: value)): \(error)")
        }
        return try canonicalize(data)
    }

    /// A JSON string literal for `text`, escaped as the canonical form escapes it.
    public static func quoted(_ text: String) -> Data {
        // A string fragment cannot fail to serialize.
        (try? JSONSerialization.data(withJSONObject: text, options: options.union(.fragmentsAllowed))) ?? Data()
    }

    private static let options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
