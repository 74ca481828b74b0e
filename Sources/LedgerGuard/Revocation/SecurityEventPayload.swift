import JWTKit
import LedgerDomain

/// A ``BroadcastMessage`` as a jwt-kit payload: it encodes and decodes exactly as the message
/// does. Its claims are checked by ``BroadcastVerifier`` and the subscriber, not by jwt-kit.
public struct SecurityEventPayload: JWTPayload {
    /// The message's claims.
    public var message: BroadcastMessage

    /// Wraps `message`.
    public init(message: BroadcastMessage) { self.message = message }
    public init(from decoder: any Decoder) throws { message = try BroadcastMessage(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try message.encode(to: encoder) }
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
