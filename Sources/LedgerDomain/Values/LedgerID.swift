/// New identifiers for grants, token ids, key ids, login flows and broadcast messages: 128 bits
/// in the UUIDv7 layout (RFC 9562 §5.7: 48 bits of Unix milliseconds, the version and variant,
/// 74 random bits), written as unpadded base64url, 22 characters.
///
/// Time-ordered, so ids minted together land together in the log's `(stream_id,
/// stream_version)` index and a long history does not turn every insert into a random page
/// write; base64url is their shortest text (the hex UUID form takes 36). Randomness comes from
/// `SystemRandomNumberGenerator` (the kernel's `getrandom`). Identifiers are opaque: older
/// logs hold hex UUIDs, and both read the same.
public enum LedgerID {
    /// A new identifier minted at `time`, such as `AZr0Yb3kcYq8Xw2nD1eF4g`.
    public static func make(at time: Instant) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: time.milliseconds >> (8 * (5 - index))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 10
        return Base64URL.encode(bytes)
    }
}
