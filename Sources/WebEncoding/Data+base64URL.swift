import Foundation

extension Data {
    /// Decodes one base64url segment of a compact JWS (RFC 7515 §2: no padding); nil when it is not one.
    package init?(jwtSegment text: some StringProtocol) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if base64.count % 4 != 0 { base64 += String(repeating: "=", count: 4 - base64.count % 4) }
        self.init(base64Encoded: base64)
    }

    /// Base64url without padding (RFC 7515 §2).
    package var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
