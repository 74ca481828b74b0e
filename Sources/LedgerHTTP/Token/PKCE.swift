import WebEncoding
import Crypto
import Foundation
import LedgerService

/// PKCE (RFC 7636) as the token endpoint needs it: only S256 exists (I7).
package enum PKCE {
    /// BASE64URL(SHA256(verifier)), or nil when the verifier is not 43–128 unreserved characters (RFC 7636 §4.1).
    package static func s256Challenge(of verifier: String) -> String? {
        let unreserved = verifier.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                true
            default: false
            }
        }
        guard unreserved, (43...128).contains(verifier.utf8.count) else { return nil }
        return Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded
    }
}
