import WebEncoding
import Crypto
import Foundation
import LedgerDomain
import LedgerPostgres

/// Secrets as the ledger sees them: minted from the system RNG, stored and compared only as
/// SHA-256 digests (I6), compared in constant time.
package enum SecretDigest {
    /// SHA-256 of the secret's UTF-8 bytes, as a ``TokenHash``.
    package static func hash(_ secret: String) -> TokenHash {
        TokenHash(hex: Data(SHA256.hash(data: Data(secret.utf8))).hex)
    }

    /// A new random secret: 32 bytes from the system RNG, base64url (43 characters).
    package static func mint() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64URLEncoded
    }

    /// Whether `secret` hashes to `hash`, in time independent of where they differ.
    package static func matches(_ secret: String, _ hash: TokenHash) -> Bool {
        let presented = Array(Self.hash(secret).hex.utf8)
        let stored = Array(hash.hex.utf8)
        guard presented.count == stored.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(presented, stored) { difference |= a ^ b }
        return difference == 0
    }
}
