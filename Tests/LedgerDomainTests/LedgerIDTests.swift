import Foundation
import LedgerDomain
import Testing

@Suite("Ledger ids")
struct LedgerIDTests {
    @Test("22 base64url characters of a UUIDv7: version 7, RFC 9562 variant, the minting millisecond first, distinct")
    func shape() throws {
        let time = Instant(milliseconds: 1_796_651_141_906)
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let text = LedgerID.make(at: time)
            #expect(text.utf8.count == 22)
            #expect(text.utf8.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.contains($0) })
            let bytes = try #require(Data(base64Encoded: text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="))
            #expect(bytes.count == 16)
            #expect(bytes[6] >> 4 == 7)
            #expect(bytes[8] >> 6 == 0b10)
            #expect(bytes.prefix(6).reduce(Int64(0)) { $0 << 8 | Int64($1) } == time.milliseconds)
            seen.insert(text)
        }
        #expect(seen.count == 2_000)
    }

    @Test("ids of later milliseconds share the earlier ones' prefix while the time's high bits agree")
    func timeOrdered() {
        let first = LedgerID.make(at: Instant(milliseconds: 1_796_651_141_906))
        let second = LedgerID.make(at: Instant(milliseconds: 1_796_651_141_907))
        #expect(first.prefix(7) == second.prefix(7))
        #expect(first != second)
    }
}
