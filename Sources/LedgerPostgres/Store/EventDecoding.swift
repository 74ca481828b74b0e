import Foundation
import LedgerDomain

/// Decodes stored payloads back into catalogue events.
package enum EventDecoding {
    /// Decodes one stored event by its type name.
    package static func decode(type: String, data: Data) throws(LedgerStoreError) -> LedgerEvent {
        let decoder = JSONDecoder()
        decoder.userInfo[typeNameKey] = type
        do {
            return try decoder.decode(Decoded.self, from: data).event
        } catch {
            throw LedgerStoreError(.encoding, "cannot decode \(type): \(error)")
        }
    }

    fileprivate static let typeNameKey = CodingUserInfoKey(rawValue: "tokenledger.typeName")!

    private struct Decoded: Decodable {
        let event: LedgerEvent
        init(from decoder: any Decoder) throws {
            let type = decoder.userInfo[EventDecoding.typeNameKey] as? String ?? ""
            event = try LedgerEvent(typeName: type, from: decoder)
        }
    }
}
