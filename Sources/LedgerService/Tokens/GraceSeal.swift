import Crypto
import Foundation
import LedgerDomain

/// Seals a refresh response for the grace window (I3). It is kept outside the log
/// (`refresh_grace`), under AES-GCM with a key derived (HKDF-SHA256) from both the server's
/// key secret and the *presented* refresh token: opening it takes the spent token and the
/// server's secret, so neither a log, export or backup reader holding a spent token nor a
/// database reader alone can reach the live one (I6).
package struct GraceSeal: Sendable {
    private let serverKey: SymmetricKey

    /// A seal under `serverKey`; derive it with ``deriveKey(fromSecret:)`` so every replica agrees.
    package init(serverKey: SymmetricKey) {
        self.serverKey = serverKey
    }

    /// The server's grace key derived from `TOKENLEDGER_KEY_SECRET`.
    package static func deriveKey(fromSecret secret: String) -> SymmetricKey {
        KeySecret.derive(secret, purpose: "tokenledger refresh grace server key v1")
    }

    /// The sealed body (nonce ‖ ciphertext ‖ tag), bound to the grant.
    package func seal(_ body: Data, presented token: String, grant: GrantID) -> Data? {
        try? AES.GCM.seal(body, using: key(token, grant), authenticating: Data(grant.rawValue.utf8)).combined
    }

    /// The body sealed by ``seal(_:presented:grant:)``; nil unless `token` and the server key
    /// are the ones it was sealed with.
    package func open(_ sealed: Data, presented token: String, grant: GrantID) -> Data? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        return try? AES.GCM.open(box, using: key(token, grant), authenticating: Data(grant.rawValue.utf8))
    }

    private func key(_ token: String, _ grant: GrantID) -> SymmetricKey {
        let material = serverKey.withUnsafeBytes { Data($0) } + Data(token.utf8)
        return HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: material), salt: Data("tokenledger refresh grace v2".utf8),
            info: Data(grant.rawValue.utf8), outputByteCount: 32
        )
    }
}
