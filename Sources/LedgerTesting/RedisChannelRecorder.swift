import WebEncoding
import Foundation
import LedgerDomain
import LedgerHTTP
import LedgerRedis
import Logging
import Synchronization
import LedgerService

/// Subscribes to a revocation channel and records what arrives, decoded (not verified), for
/// assertions.
package final class RedisChannelRecorder: Sendable {
    /// One message as it arrived.
    package struct Recorded: Sendable {
        /// The compact JWS.
        package var compact: String
        /// The JWS header.
        package var header: [String: JSONValue]
        /// The payload as raw JSON.
        package var object: [String: JSONValue]
        /// The payload decoded.
        package var claims: BroadcastMessage
        /// When it arrived, unix milliseconds.
        package var at: Int64

        /// The message's `seq`.
        package var seq: Int64 { claims.seq }
        /// The revocation it announces, if it is one.
        package var revoked: RevokedEvent? { claims.events.revoked }
        /// The revoked access token's `jti`, for a token revocation.
        package var jti: String? { revoked?.jti }

        /// Splits and decodes a compact JWS, or nil when it is not one.
        package init?(compact: String, at: Int64) {
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
    package struct Seen: Sendable {
        /// How many times the subscription (re)connected.
        package var connections = 0
        /// The messages, in arrival order.
        package var messages: [Recorded] = []

        /// The revocations, in arrival order.
        package var revocations: [Recorded] { messages.filter { $0.revoked != nil } }
        /// The heartbeats, in arrival order.
        package var heartbeats: [Recorded] { messages.filter { $0.claims.events.heartbeat != nil } }
    }

    private let subscription: RedisSubscription
    private final class Store: Sendable {
        let value = Mutex(Seen())
    }

    private let seen = Store()
    private let reader: Task<Void, Never>

    /// Subscribes to `channel`, reconnecting quickly.
    package init(endpoint: RedisEndpoint, channel: String) {
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
    package func close() {
        subscription.close()
        reader.cancel()
    }

    /// What arrived so far.
    package var snapshot: Seen { seen.value.withLock { $0 } }

    /// Polls until `check` returns a value, failing after `limit`.
    package func wait<T>(
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
package struct RecorderTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: Int
    package var description: String { "timed out waiting for \(what) (\(seen) messages seen)" }
}

extension Array where Element == Int64 {
    /// Each seq at its first appearance: what a subscriber applying idempotently sees.
    package var firstAppearances: [Int64] {
        var seen = Set<Int64>()
        return filter { seen.insert($0).inserted }
    }
}
