import Crypto
import Foundation
import LedgerDomain

/// Keyed digests of what identifies a caller without being kept: peer addresses and user
/// agents in event metadata (I6). HMAC-SHA256 under a key derived from
/// `TOKENLEDGER_KEY_SECRET`: an unkeyed hash of an IPv4 address is reversed by hashing all 2³²
/// of them, so a reader of the log, an export or a backup would see clear addresses.
package struct Fingerprints: Sendable {
    private let key: SymmetricKey

    /// Digests under `key`; derive it with ``deriveKey(fromSecret:)`` so every replica agrees.
    package init(key: SymmetricKey) {
        self.key = key
    }

    /// The fingerprint key derived (HKDF-SHA256) from `TOKENLEDGER_KEY_SECRET`.
    package static func deriveKey(fromSecret secret: String) -> SymmetricKey {
        KeySecret.derive(secret, purpose: "tokenledger fingerprints v1")
    }

    /// The HMAC-SHA256 of `text` (an address or a user agent), base64url: 43 characters.
    package func digest(_ text: String) -> String {
        Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
    }
}
