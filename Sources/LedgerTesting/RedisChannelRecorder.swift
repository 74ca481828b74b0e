import Foundation
import LedgerDomain
import LedgerHTTP
import LedgerRedis
import Logging
import Synchronization

/// Subscribes to a revocation channel and records what arrives, decoded (not verified), for
/// assertions.
public final class RedisChannelRecorder: Sendable {
    /// One message as it arrived.
    public struct Recorded: Sendable {
        /// The compact JWS.
        public var compact: String
        /// The JWS header.
        public var header: [String: JSONValue]
        /// The payload as raw JSON.
        public var object: [String: JSONValue]
        /// The payload decoded.
        public var claims: BroadcastMessage
        /// When it arrived, unix milliseconds.
        public var at: Int64

        /// The message's `seq`.
        public var seq: Int64 { claims.seq }
        /// The revocation it announces, if it is one.
        public var revoked: RevokedEvent? { claims.events.revoked }
        /// The revoked access token's `jti`, for a token revocation.
        public var jti: String? { revoked?.jti }

        /// Splits and decodes a compact JWS, or nil when it is not one.
        public init?(compact: String, at: Int64) {
            let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, let header = Data(jwtSegment: parts[0]), let payload = Data(jwtSegment: parts[1]),
                let headerObject = try? JSONDecoder().decode([String: JSONValue].self, from: header),
                let object = try? JSONDecoder().decode([String: JSONValue].self, from: payload),
                let claims = try? JSONDecoder().decode(BroadcastMessage.self, from: payload)
            else { return nil }
            (self.compact, self.header, self.object, self.claims, self.at) = (compact, headerObject, object, claims, at)
        }
    }

    /// What arrived so far.
    public struct Seen: Sendable {
        /// How many times the subscription (re)connected.
        public var connections = 0
        /// The messages, in arrival order.
        public var messages: [Recorded] = []

        /// The revocations, in arrival order.
        public var revocations: [Recorded] { messages.filter { $0.revoked != nil } }
        /// The heartbeats, in arrival order.
        public var heartbeats: [Recorded] { messages.filter { $0.claims.events.heartbeat != nil } }
    }

    private let subscription: RedisSubscription
    private final class Store: Sendable {
        let value = Mutex(Seen())
    }

    private let seen = Store()
    private let reader: Task<Void, Never>

    /// Subscribes to `channel`, reconnecting quickly.
    public init(endpoint: RedisEndpoint, channel: String) {
        let subscription = RedisSubscription(
            endpoint: endpoint, channels: [channel], backoff: RedisBackoff(initial: .milliseconds(10), maximum: .milliseconds(50)),
            logger: Logger(label: "test.recorder")
        )
        let seen = self.seen
        self.subscription = subscription
        reader = Task { [seen] in
            for await event in subscription.events {
                switch event {
                case .connected: seen.value.withLock { $0.connections += 1 }
                case .message(_, let payload):
                    let recorded = Recorded(compact: String(decoding: payload, as: UTF8.self), at: Instant.current().milliseconds)
                    if let recorded { seen.value.withLock { $0.messages.append(recorded) } }
                case .disconnected: break
                }
            }
        }
    }

    deinit { close() }

    /// Unsubscribes.
    public func close() {
        subscription.close()
        reader.cancel()
    }

    /// What arrived so far.
    public var snapshot: Seen { seen.value.withLock { $0 } }

    /// Polls until `check` returns a value, failing after `limit`.
    public func wait<T>(
        for what: String, within limit: Duration = .seconds(30), _ check: (Seen) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let value = check(snapshot) { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw RecorderTimeout(what: what, seen: snapshot.messages.count)
    }
}

/// A recorder's wait ran out.
public struct RecorderTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: Int
    public var description: String { "timed out waiting for \(what) (\(seen) messages seen)" }
}

extension Array where Element == Int64 {
    /// Each seq at its first appearance: what a subscriber applying idempotently sees.
    public var firstAppearances: [Int64] {
        var seen = Set<Int64>()
        return filter { seen.insert($0).inserted }
    }
}
