import Crypto
import Foundation

/// The keys derived from `TOKENLEDGER_KEY_SECRET`: one per purpose, HKDF-SHA256 with the
/// purpose as `info`, so every replica sharing the secret derives the same key and no two
/// purposes share one.
package enum KeySecret {
    /// The 256-bit key for `purpose` (e.g. `tokenledger fingerprints v1`) derived from `secret`.
    package static func derive(_ secret: String, purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), info: Data(purpose.utf8), outputByteCount: 32)
    }
}
