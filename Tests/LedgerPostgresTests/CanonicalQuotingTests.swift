import Foundation
import LedgerPostgres
import Testing

@Suite("Canonical quoting fast path")
struct CanonicalQuotingTests {
    @Test("identifiers quoted directly match what JSONEncoder writes", arguments: [
        "grant/0b9ad0f2-6c7e-4a59-9d35-0b9ad0f26c7e", "grant.refresh_token.rotated", "client/abc_DEF-123",
        "subject/alice@example.com", "key/a:b+c.d", "",
    ])
    func plainIdentifiers(_ text: String) throws {
        #expect(CanonicalJSON.quoted(text) == (try CanonicalJSON.referenceEncoder().encode(text)))
    }

    @Test("anything else goes through the encoder", arguments: ["a\"b", "tab\there", "é", "back\\slash", "nul\u{01}"])
    func escapedText(_ text: String) throws {
        #expect(CanonicalJSON.quoted(text) == (try CanonicalJSON.referenceEncoder().encode(text)))
    }
}
