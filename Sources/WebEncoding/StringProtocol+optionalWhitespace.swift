extension StringProtocol {
    /// The text without leading and trailing spaces and tabs: HTTP's optional whitespace
    /// (RFC 9110 §5.6.3) around a header value or one of its parts. Works on the UTF-8 bytes:
    /// Foundation's `trimmingCharacters(in:)` walks UTF-16 and was a visible cost per request.
    package var trimmingOptionalWhitespace: Substring {
        let text = Substring(self)
        let utf8 = text.utf8
        let isOptionalWhitespace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = utf8.firstIndex(where: { !isOptionalWhitespace($0) }),
            let last = utf8.lastIndex(where: { !isOptionalWhitespace($0) })
        else { return text[text.endIndex...] }
        return text[first...last]
    }
}
