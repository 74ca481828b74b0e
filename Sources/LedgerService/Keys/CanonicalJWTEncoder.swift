import Foundation
import JWTKit
import LedgerPostgres

/// The JSON encoder jwt-kit uses for the headers and payloads this service signs (each signing
/// key is registered with it): ``CanonicalJSONEncoder``, several times cheaper than
/// `JSONEncoder` on the token path. The claims carry times as integer Unix seconds, never as
/// `Date`, so jwt-kit's date strategy has nothing to do.
struct CanonicalJWTEncoder: JWTJSONEncoder {
    func encode<T: Encodable>(_ value: T) throws -> Data {
        Data(try CanonicalJSONEncoder().encode(value))
    }
}
