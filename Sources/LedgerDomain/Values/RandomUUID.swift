/// Random (version 4, RFC 9562 §5.4) UUIDs as lowercase text, for grant ids, token ids and
/// key ids.
///
/// Drawn from `SystemRandomNumberGenerator` (the kernel's `getrandom`): Foundation's `UUID()`
/// opens `/dev/urandom` for every identifier on Linux, a system call pair per token on the
/// hot path.
public enum RandomUUID {
    /// A new random UUID, such as `3f2b8c1e-9d4a-4f6b-8e2a-1c5d7b9e0f3a`.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 10
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
