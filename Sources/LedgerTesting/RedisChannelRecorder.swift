import Foundation
import LedgerDomain
import LedgerRedis
import Logging
import Synchronization

/// Subscribes to a revocation channel and records what arrives, decoded, for assertions.
public final class RedisChannelRecorder: Sendable {
    /// What arrived so far.
    public struct Seen: Sendable {
        /// How many times the subscription (re)connected.
        public var connections = 0
        /// The §5.3 messages, in arrival order.
        public var messages: [RevocationMessage] = []
        /// The same messages as raw JSON objects.
        public var objects: [[String: JSONValue]] = []

        /// The revocations, in arrival order.
        public var revocations: [RevocationMessage] { messages.filter { $0.type == .revoked } }
        /// The heartbeats, in arrival order.
        public var heartbeats: [RevocationMessage] { messages.filter { $0.type == .heartbeat } }
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
                    let data = Data(payload)
                    let message = try? JSONDecoder().decode(RevocationMessage.self, from: data)
                    let object = try? JSONDecoder().decode([String: JSONValue].self, from: data)
                    seen.value.withLock { state in
                        if let message, let object {
                            state.messages.append(message)
                            state.objects.append(object)
                        }
                    }
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
