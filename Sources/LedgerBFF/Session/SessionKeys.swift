import Crypto
import Foundation
import WebEncoding

/// The keys derived from the configured cookie key (HKDF-SHA256, one purpose each): AES-GCM
/// sealing of what Redis holds, the HMAC that turns a cookie value into its Redis key (so a
/// Redis dump reveals no cookie), and the logout form's CSRF token.
struct SessionKeys: Sendable {
    private let sealing: SymmetricKey
    private let naming: SymmetricKey
    private let csrf: SymmetricKey

    /// Keys derived from `secret`.
    init(secret: String) {
        let material = SymmetricKey(data: Data(secret.utf8))
        func derive(_ purpose: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Data("tokenledger bff \(purpose) v1".utf8), outputByteCount: 32)
        }
        sealing = derive("sealing")
        naming = derive("naming")
        csrf = derive("csrf")
    }

    /// A new random identifier (256 bits, base64url): session ids, `state`, `nonce`, verifiers.
    static func randomID() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64URLEncoded
    }

    /// The Redis name of a browser-held value.
    func name(_ value: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: naming)).base64URLEncoded
    }

    /// `plaintext` sealed with AES-GCM, bound to `context` (the Redis key it is stored under).
    func seal(_ plaintext: Data, context: String) throws(BFFError) -> [UInt8] {
        guard let combined = try? AES.GCM.seal(plaintext, using: sealing, authenticating: Data(context.utf8)).combined else {
            throw BFFError(.unavailable, "sealing failed")
        }
        return Array(combined)
    }

    /// What ``seal(_:context:)`` sealed for `context`; nil for anything else.
    func open(_ sealed: [UInt8], context: String) -> Data? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        return try? AES.GCM.open(box, using: sealing, authenticating: Data(context.utf8))
    }

    /// The logout form's CSRF token for the session whose cookie value is `sessionID`.
    func logoutToken(for sessionID: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(sessionID.utf8), using: csrf)).base64URLEncoded
    }

    /// Whether `token` is the logout token of `sessionID`, in constant time.
    func isLogoutToken(_ token: String, for sessionID: String) -> Bool {
        guard let code = Data(jwtSegment: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(sessionID.utf8), using: csrf)
    }
}
