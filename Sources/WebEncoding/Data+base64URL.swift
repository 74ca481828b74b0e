import Foundation

extension Data {
    /// Decodes one base64url segment of a compact JWS (RFC 7515 §2: no padding); nil when it is not one.
    package init?(jwtSegment text: some StringProtocol) {
        // Byte-wise: Foundation's replacingOccurrences costs tens of microseconds on Linux.
        let utf8 = text.utf8
        var base64 = [UInt8]()
        base64.reserveCapacity(utf8.count + 3)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "-"): base64.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): base64.append(UInt8(ascii: "/"))
            default: base64.append(byte)
            }
        }
        base64.append(contentsOf: repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4))
        self.init(base64Encoded: Data(base64))
    }

    /// Base64url without padding (RFC 7515 §2).
    package var base64URLEncoded: String {
        let standard = base64EncodedData()
        return String(unsafeUninitializedCapacity: standard.count) { buffer in
            var count = 0
            for byte in standard where byte != UInt8(ascii: "=") {
                switch byte {
                case UInt8(ascii: "+"): buffer[count] = UInt8(ascii: "-")
                case UInt8(ascii: "/"): buffer[count] = UInt8(ascii: "_")
                default: buffer[count] = byte
                }
                count += 1
            }
            return count
        }
    }
}
