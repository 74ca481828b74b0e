import Foundation
import JWTKit
import LedgerDomain

/// Verifies broadcast messages (format v2, docs/broadcast.md) before the subscriber acts on
/// them: a compact JWS whose header names an allowed algorithm, `typ: secevent+jwt` and a
/// published `kid` (an unknown one refetches the JWKS, rate-limited), whose signature verifies,
/// whose `iss` is the configured issuer, and which is a revocation or a heartbeat. Anything
/// else is refused with the reason; the subscriber drops it.
public struct BroadcastVerifier: Sendable {
    /// The media type of a Security Event Token (RFC 8417 §2.3).
    public static let type = "secevent+jwt"
    /// The largest message accepted.
    public static let maximumSize = 64 << 10

    /// The exact `iss` expected.
    public let issuer: String
    /// The issuer's keys, shared with the access-token validator.
    public let jwks: JWKSCache
    private let keysChanged: @Sendable () -> Void
    private let parser = DefaultJWTParser()

    /// Creates a verifier; `keysChanged` runs when a lookup refetched the JWKS and the key ids changed.
    public init(issuer: String, jwks: JWKSCache, keysChanged: @escaping @Sendable () -> Void = {}) {
        self.issuer = issuer
        self.jwks = jwks
        self.keysChanged = keysChanged
    }

    /// The verified claims of `compact`.
    public func verify(_ compact: some StringProtocol) async throws(GuardError) -> BroadcastMessage {
        let token = String(compact)
        guard token.utf8.count <= Self.maximumSize else { throw GuardError(.malformedToken, "message exceeds \(Self.maximumSize) bytes") }
        let header: JWTHeader
        let message: BroadcastMessage
        do {
            (header, _, _) = try parser.parse(Array(token.utf8), as: SecurityEventPayload.self)
        } catch {
            throw GuardError(.malformedToken, "not a compact JWS with a JSON header and a broadcast payload")
        }
        let (kid, alg) = try AccessTokenRules.checkHeader(header, type: Self.type)
        let (keys, changed) = try await jwks.keys(for: kid, alg: alg)
        if changed { keysChanged() }
        do {
            message = try await keys.verify(token, as: SecurityEventPayload.self).message
        } catch {
            throw GuardError(.badSignature, "signature does not verify")
        }
        guard message.iss == issuer else { throw GuardError(.wrongIssuer, "iss is not the configured issuer") }
        guard message.kind != nil else { throw GuardError(.malformedMessage, "neither a revocation nor a heartbeat") }
        return message
    }
}
