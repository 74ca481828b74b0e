import Foundation
import LedgerGuard
import LedgerRedis
import LedgerTesting
import Logging
import Synchronization

/// The whole path of ``LiveKitFixture`` with the test standing on the wire: the relay publishes
/// on one channel, a tap forwards each message to the kit's channel unless the test's policy
/// drops it, and the test may inject anything there (forgeries, tampered or replayed copies).
/// The relay can be stopped and started again.
final class TappedKitFixture: Sendable {
    /// What the tap does with one message of the relay.
    enum Verdict: Sendable {
        case forward
        case drop
    }

    let live: LiveKitFixture
    private let kitChannel: String
    private let publisher: RedisClient
    private let policy = Mutex<@Sendable (RedisChannelRecorder.Recorded) -> Verdict>({ _ in .forward })
    private let seen = Mutex<[RedisChannelRecorder.Recorded]>([])
    private let relayTask = Mutex<Task<Void, any Error>?>(nil)
    private let startRelay: @Sendable () -> Task<Void, any Error>

    private init(live: LiveKitFixture, kitChannel: String, publisher: RedisClient, startRelay: @escaping @Sendable () -> Task<Void, any Error>) {
        self.live = live
        self.kitChannel = kitChannel
        self.publisher = publisher
        self.startRelay = startRelay
    }

    static func with(
        stalenessBound: Duration = .seconds(30), idleTimeout: Duration? = nil, _ body: @Sendable (TappedKitFixture) async throws -> Void
    ) async throws {
        let logger = {
            var logger = Logger(label: "test.guard.tapped")
            logger.logLevel = .critical
            return logger
        }()
        try await TestDatabase.withLedger { ledger in
            try await LiveStack.with(ledger, logger: logger) { stack in
                let relayChannel = "test:relay:\(UUID().uuidString)"
                let kitChannel = "test:kit:\(UUID().uuidString)"
                let relay = try stack.relay(channel: relayChannel, logger: logger)
                let client = try await LiveKitFixture.register(stack, scope: "revocations:read")
                var configuration = stack.guardConfiguration(clientID: client.id, clientSecret: client.secret, channel: kitChannel)
                configuration.stalenessBound = stalenessBound
                configuration.channelIdleTimeout = idleTimeout
                let kit = try LedgerGuard(configuration: configuration, logger: logger)
                let endpoint = try RedisEndpoint(url: TestEnvironment.redisURL)
                let publisher = RedisClient(endpoint: endpoint, logger: logger)
                let fixture = TappedKitFixture(
                    live: LiveKitFixture(stack: stack, kit: kit), kitChannel: kitChannel, publisher: publisher,
                    startRelay: { Task { try await relay.run() } }
                )
                let tap = RedisSubscription(endpoint: endpoint, channels: [relayChannel], logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await event in tap.events {
                            guard case .message(_, let payload) = event,
                                let message = RedisChannelRecorder.Recorded(compact: String(decoding: payload, as: UTF8.self), at: 0)
                            else { continue }
                            fixture.seen.withLock { $0.append(message) }
                            if fixture.policy.withLock({ $0 })(message) == .forward { try await fixture.inject(message.compact) }
                        }
                    }
                    group.addTask { try await kit.run() }
                    fixture.relay(running: true)
                    defer {
                        group.cancelAll()
                        tap.close()
                        fixture.relay(running: false)
                    }
                    try await body(fixture)
                }
                await publisher.close()
            }
        }
    }

    /// Sets what the tap does with the relay's messages from now on.
    func tap(_ verdict: @escaping @Sendable (RedisChannelRecorder.Recorded) -> Verdict) {
        policy.withLock { $0 = verdict }
    }

    /// Every message the relay published so far, forwarded or not.
    var relayed: [RedisChannelRecorder.Recorded] { seen.withLock { $0 } }

    /// Publishes `text` on the kit's channel.
    func inject(_ text: String) async throws {
        _ = try await publisher.publish(channel: kitChannel, message: Array(text.utf8))
    }

    /// Starts or stops the relay.
    func relay(running: Bool) {
        relayTask.withLock { task in
            task?.cancel()
            task = running ? startRelay() : nil
        }
    }

    /// The kit's revocation state.
    var state: RevocationState { live.kit.revocations }
}
