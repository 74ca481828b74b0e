import HummingbirdBcrypt

/// Bcrypt password hashes (I6): creating, checking the stored form, and verifying off the
/// cooperative thread pool, on a bounded ``BcryptPool`` (one verification costs ~250 ms at cost 12).
package enum PasswordHash {
    /// The cost of hashes made by `tokenledger users hash`.
    package static let defaultCost: UInt8 = 12

    /// A new bcrypt (`$2b$`) hash of `password`.
    package static func make(_ password: String, cost: UInt8 = defaultCost) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// The cost of a well-formed `$2a$`, `$2b$` or `$2y$` hash (60 characters, cost 4…31),
    /// or nil when `hash` is not one.
    package static func cost(of hash: String) -> UInt8? {
        let bytes = Array(hash.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[1] == UInt8(ascii: "2"),
            [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(bytes[2]), bytes[3] == UInt8(ascii: "$"),
            bytes[6] == UInt8(ascii: "$"), let cost = UInt8(String(decoding: bytes[4..<6], as: UTF8.self)), (4...31).contains(cost),
            bytes[7...].allSatisfy(isBcryptBase64)
        else { return nil }
        return cost
    }

    /// Whether `password` matches the stored `hash`, computed on `pool` so a slow bcrypt never
    /// blocks the async executor; throws when the pool is full. A password holding NUL never
    /// matches (the C implementation would silently truncate it there).
    package static func verify(_ password: String, hash: String, pool: BcryptPool = .shared) async throws(BcryptPoolError) -> Bool {
        guard !password.utf8.contains(0) else {
            _ = try await pool.run { Bcrypt.verify("", hash: normalized(hash)) }
            return false
        }
        return try await pool.run { Bcrypt.verify(password, hash: normalized(hash)) }
    }

    /// `$2y$` (PHP) and `$2a$` are the same algorithm as `$2b$` for passwords the form accepts;
    /// the bundled implementation only knows `$2a$`/`$2b$`, and `$2a$` mishandles very long
    /// inputs, so both are checked as `$2b$`.
    static func normalized(_ hash: String) -> String {
        hash.hasPrefix("$2y$") || hash.hasPrefix("$2a$") ? "$2b$" + hash.dropFirst(4) : hash
    }

    private static func isBcryptBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "/"):
            true
        default: false
        }
    }
}
