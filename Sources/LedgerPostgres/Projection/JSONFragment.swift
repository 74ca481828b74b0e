import Foundation
import LedgerDomain

/// Already-encoded JSON embedded verbatim in another encoded value (an aggregate's state inside
/// a projection row).
package struct JSONFragment: Sendable, Hashable, Encodable {
    let value: JSONValue

    /// Encodes `state` with `JSONEncoder` and keeps the result.
    package init(encoding state: some Encodable) throws(LedgerStoreError) {
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(state))
        } catch {
            throw LedgerStoreError(.encoding, "state of \(type(of: state)): \(error)")
        }
    }

    package func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
