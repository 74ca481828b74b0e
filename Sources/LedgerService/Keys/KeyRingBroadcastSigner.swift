import JWTKit
import LedgerDomain
import LedgerPostgres

/// Signs broadcast messages (format v2) with the key ring's active key, as compact JWS with
/// `typ: secevent+jwt` (RFC 8417 §2.3): whatever signs access tokens signs the broadcast, and
/// `/jwks.json` verifies both.
package struct KeyRingBroadcastSigner: BroadcastSigner {
    /// The media type of a Security Event Token.
    package static let type = "secevent+jwt"

    package let issuer: String
    private let keys: KeyRing

    /// Creates a signer for `issuer` over `keys`.
    package init(issuer: String, keys: KeyRing) {
        self.issuer = issuer
        self.keys = keys
    }

    package func sign(_ message: BroadcastMessage) async throws -> String {
        try await keys.sign(Payload(message: message), type: Self.type)
    }

    /// The message as a JWT payload.
    private struct Payload: JWTPayload {
        var message: BroadcastMessage

        init(message: BroadcastMessage) { self.message = message }
        init(from decoder: any Decoder) throws { message = try BroadcastMessage(from: decoder) }
        func encode(to encoder: any Encoder) throws { try message.encode(to: encoder) }
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }
}
