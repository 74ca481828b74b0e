#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import LedgerDomain

/// Encodes and decodes event payloads the way the log stores them: the payload as JSON, the
/// type name beside it. Test-side stand-in for the adapter's codec.
enum EventCodec {
    /// Where the decoding wrappers find the stored type name.
    static let typeNameKey = CodingUserInfoKey(rawValue: "tokenledger.typeName")!

    /// The payload's JSON, keys sorted.
    static func encode(_ event: any DomainEvent) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(PayloadEncoding(event: event))
    }

    /// The payload's JSON as text.
    static func json(_ event: any DomainEvent) throws -> String {
        String(decoding: try encode(event), as: UTF8.self)
    }

    /// Decodes a payload with one event enum.
    static func decode<E: DomainEvent>(_: E.Type, typeName: String, from data: Data) throws -> E {
        try decoder(typeName).decode(PayloadDecoding<E>.self, from: data).event
    }

    /// Decodes a payload through the catalogue union.
    static func decodeLedger(typeName: String, from data: Data) throws -> LedgerEvent {
        try decoder(typeName).decode(LedgerPayloadDecoding.self, from: data).event
    }

    /// Encodes `event` and decodes it again by its type name.
    static func roundTrip<E: DomainEvent>(_ event: E) throws -> E {
        try decode(E.self, typeName: event.typeName, from: encode(event))
    }

    private static func decoder(_ typeName: String) -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[typeNameKey] = typeName
        return decoder
    }
}

/// Encodes an event's payload through `encodePayload(to:)`.
struct PayloadEncoding: Encodable {
    let event: any DomainEvent

    func encode(to encoder: any Encoder) throws { try event.encodePayload(to: encoder) }
}

/// Decodes one event enum by the type name in the decoder's user info.
struct PayloadDecoding<E: DomainEvent>: Decodable {
    let event: E

    init(from decoder: any Decoder) throws {
        event = try E(typeName: decoder.userInfo[EventCodec.typeNameKey] as? String ?? "", from: decoder)
    }
}

/// Decodes any catalogue event by the type name in the decoder's user info.
struct LedgerPayloadDecoding: Decodable {
    let event: LedgerEvent

    init(from decoder: any Decoder) throws {
        event = try LedgerEvent(typeName: decoder.userInfo[EventCodec.typeNameKey] as? String ?? "", from: decoder)
    }
}
