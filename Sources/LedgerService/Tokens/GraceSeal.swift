import Crypto
import Foundation
import LedgerDomain

/// Seals a refresh response for the grace window (I3): AES-GCM under a key derived with
/// HKDF-SHA256 from the *presented* refresh token, so only its holder can open the stored
/// answer, and the log never holds a usable token in clear (I6).
package enum GraceSeal {
    /// The sealed body, base64 (nonce ‖ ciphertext ‖ tag), bound to the grant.
    package static func seal(_ body: Data, presented token: String, grant: GrantID) -> String? {
        try? AES.GCM.seal(body, using: key(token, grant), authenticating: Data(grant.rawValue.utf8)).combined?
            .base64EncodedString()
    }

    /// The body sealed by ``seal(_:presented:grant:)``; nil when `token` is not the one it was sealed for.
    package static func open(_ sealed: String, presented token: String, grant: GrantID) -> Data? {
        guard let combined = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: combined) else {
            return nil
        }
        return try? AES.GCM.open(box, using: key(token, grant), authenticating: Data(grant.rawValue.utf8))
    }

    private static func key(_ token: String, _ grant: GrantID) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(token.utf8)), salt: Data("tokenledger refresh grace v1".utf8),
            info: Data(grant.rawValue.utf8), outputByteCount: 32
        )
    }
}
