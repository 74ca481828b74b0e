import LedgerRedis
import Logging
import ServiceLifecycle

/// Hears, on the session store's endings channel, the sessions any replica deleted (logout, a
/// refused refresh, a revocation, a new login) and forgets this process's copies of them. Each
/// replica publishes a heartbeat on the channel every second; a channel silent for three is
/// taken as lost. While the subscription is down the cache serves nothing, so a missed ending
/// can never leave a copy in use.
struct SessionEndings: Service {
    let endpoint: RedisEndpoint
    let store: SessionStore
    let logger: Logger

    static let heartbeatInterval: Duration = .seconds(1)
    static let silenceTaken: Duration = .seconds(3)

    func run() async throws {
        let subscription = RedisSubscription(endpoint: endpoint, channels: [store.endingsChannel], idleTimeout: Self.silenceTaken, logger: logger)
        defer {
            subscription.close()
            store.cache.hearsEndings(false)
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await heartbeats() }
                for await event in subscription.events {
                    switch event {
                    case .connected: store.cache.hearsEndings(true)
                    case .disconnected: store.cache.hearsEndings(false)
                    case .message(_, let payload) where !payload.isEmpty: store.cache.forget(name: String(decoding: payload, as: UTF8.self))
                    case .message: break
                    }
                }
                tasks.cancelAll()
            }
        } onGracefulShutdown: {
            subscription.close()
        }
    }

    private func heartbeats() async {
        while !Task.isCancelled {
            try? await store.publishHeartbeat()
            try? await Task.sleep(for: Self.heartbeatInterval)
        }
    }
}
