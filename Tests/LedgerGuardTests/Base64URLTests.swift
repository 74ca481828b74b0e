import Foundation
import Testing
import WebEncoding

@Suite("base64url (RFC 7515 §2): no padding, - and _ for + and /")
struct Base64URLTests {
    @Test("RFC 7515 appendix C: [3, 236, 255, 224, 193] is A-z_4ME, both ways")
    func rfcExample() {
        #expect(Data([3, 236, 255, 224, 193]).base64URLEncoded == "A-z_4ME")
        #expect(Data(jwtSegment: "A-z_4ME") == Data([3, 236, 255, 224, 193]))
    }

    @Test("every length from 0 to 64 and every byte value round-trip, unpadded and URL-safe")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...64 {
            let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let encoded = bytes.base64URLEncoded
            #expect(encoded.utf8.allSatisfy { !"+/=".utf8.contains($0) })
            #expect(encoded.utf8.count == (length * 4 + 2) / 3)
            #expect(Data(jwtSegment: encoded) == bytes)
        }
        let all = Data(0...255)
        #expect(Data(jwtSegment: all.base64URLEncoded) == all)
    }

    @Test("what is not base64url does not decode", arguments: ["A", "A-z_4M*", "AB CD", "é"])
    func refusals(text: String) {
        #expect(Data(jwtSegment: text) == nil)
    }
}
