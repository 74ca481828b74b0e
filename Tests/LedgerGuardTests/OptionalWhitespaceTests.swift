import WebEncoding
import Testing

@Suite("HTTP optional whitespace is trimmed on the bytes")
struct OptionalWhitespaceTests {
    @Test(
        "Spaces and tabs go at both ends, nothing else does",
        arguments: [
            ("  abc \t", "abc"),
            ("\tBasic x y\t ", "Basic x y"),
            ("abc", "abc"),
            ("   ", ""),
            ("", ""),
            ("\u{00A0}abc\u{00A0}", "\u{00A0}abc\u{00A0}"),  // not HTTP whitespace: kept, so the value stays malformed
            (" \nabc\r ", "\nabc\r"),
            (" é ", "é"),
        ]
    )
    func trims(_ input: String, _ expected: String) {
        #expect(String(input.trimmingOptionalWhitespace) == expected)
        #expect(String(input.dropFirst(0).trimmingOptionalWhitespace) == expected)
    }
}
