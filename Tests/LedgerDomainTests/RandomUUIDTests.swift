import Foundation
import LedgerDomain
import Testing

@Suite("Random UUIDs")
struct RandomUUIDTests {
    @Test("version 4, RFC 9562 variant, lowercase, parseable, and distinct")
    func shape() {
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let text = RandomUUID.make()
            let bytes = Array(text.utf8)
            #expect(bytes.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") })
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect("89ab".utf8.contains(bytes[19]))
            #expect(text == text.lowercased())
            #expect(UUID(uuidString: text)?.uuidString.lowercased() == text)
            seen.insert(text)
        }
        #expect(seen.count == 2_000)
    }
}
