import WebEncoding
import Crypto
import Foundation
import LedgerDomain
import LedgerService

/// Seals a validated ``AuthorizationRequest`` into the login form's opaque `request` input with
/// AES-256-GCM, so the login needs no server-side state and any replica can finish it. The
/// browser can neither read nor alter it; it expires ``lifetime`` after validation.
package struct AuthorizationRequestSealer: Sendable {
    /// How long a login form stays usable.
    package static let lifetime: Duration = .seconds(600)

    /// Why an opaque request was refused.
    package enum Failure: Error, Sendable, Hashable {
        /// Not produced by this service (or altered, or sealed under another key).
        case invalid
        /// Older than ``lifetime``.
        case expired
    }

    private let key: SymmetricKey
    private static let context = Data("tokenledger authorize request v1".utf8)

    /// Creates a sealer over the key from ``deriveKey(fromSecret:)``.
    package init(key: SymmetricKey) {
        self.key = key
    }

    /// The request-sealing key derived (HKDF-SHA256) from `TOKENLEDGER_KEY_SECRET`, the same on
    /// every replica sharing that secret.
    package static func deriveKey(fromSecret secret: String) -> SymmetricKey {
        KeySecret.derive(secret, purpose: "tokenledger login request sealing v1")
    }

    /// The opaque, base64url form of `request`.
    package func seal(_ request: AuthorizationRequest) -> String {
        // Encoding a plain Codable struct and sealing with a valid key cannot fail.
        let plain = (try? JSONEncoder().encode(request)) ?? Data()
        let combined = (try? AES.GCM.seal(plain, using: key, authenticating: Self.context).combined) ?? Data()
        return combined.base64URLEncoded
    }

    /// The request sealed in `opaque`, if this service sealed it and it has not expired at `now`.
    package func unseal(_ opaque: String, now: Instant) throws(Failure) -> AuthorizationRequest {
        guard opaque.utf8.count <= 8192, let combined = Data(jwtSegment: opaque),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Self.context),
            let request = try? JSONDecoder().decode(AuthorizationRequest.self, from: plain)
        else { throw .invalid }
        guard now >= request.receivedAt.adding(.seconds(-60)), now < request.receivedAt.adding(Self.lifetime) else { throw .expired }
        return request
    }
}
