import Foundation
import LedgerDomain
import LedgerRedis
import Logging
import Synchronization

/// Subscribes to a channel and records what arrives, decoded, for assertions.
final class ChannelRecorder: Sendable {
    struct Seen: Sendable {
        var connections = 0
        var messages: [RevocationMessage] = []
        /// The raw JSON objects, in arrival order.
        var objects: [[String: JSONValue]] = []

        var revocations: [RevocationMessage] { messages.filter { $0.type == .revoked } }
        var heartbeats: [RevocationMessage] { messages.filter { $0.type == .heartbeat } }
    }

    private let subscription: RedisSubscription
    private final class Store: Sendable {
        let value = Mutex(Seen())
    }

    private let seen = Store()
    private let reader: Task<Void, Never>

    init(endpoint: RedisEndpoint, channel: String) {
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

    func close() {
        subscription.close()
        reader.cancel()
    }

    /// What arrived so far.
    var snapshot: Seen { seen.value.withLock { $0 } }

    /// Polls until `check` returns a value, failing after `limit`.
    func wait<T>(
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

struct RecorderTimeout: Error, CustomStringConvertible {
    let what: String
    let seen: Int
    var description: String { "timed out waiting for \(what) (\(seen) messages seen)" }
}

extension Array where Element == Int64 {
    /// Each seq at its first appearance: what a subscriber applying idempotently sees.
    var firstAppearances: [Int64] {
        var seen = Set<Int64>()
        return filter { seen.insert($0).inserted }
    }
}
