import Foundation
import LedgerDomain
import LedgerRedis
import Logging
import ServiceLifecycle

/// Keeps a ``RevocationState`` current: subscribes to the broadcast channel (§5.3), catches up
/// over the feed on (re)connect and whenever a heartbeat reveals a gap, retries a failed
/// catch-up every tick, and prunes expired entries. Everything is handled in one sequence, so
/// messages arriving during a catch-up wait and are applied after it (seq at or below the
/// feed's head: duplicates, ignored).
///
/// A message that is not valid §5.3 JSON is logged (its size, never its content) and ignored.
public struct RevocationSubscriber: Service {
    private let endpoint: RedisEndpoint
    private let channel: String
    private let feed: RevocationFeedClient
    private let state: RevocationState
    private let tick: Duration
    private let idleTimeout: Duration?
    private let pruneGrace: Int64
    private let logger: Logger

    /// Creates a subscriber; `tick` paces catch-up retries and pruning, `idleTimeout` takes a
    /// channel silent that long (no heartbeat) as lost and reconnects, `pruneGrace` (seconds,
    /// the validator's skew) keeps entries that long after their `until`.
    public init(
        endpoint: RedisEndpoint, channel: String, feed: RevocationFeedClient, state: RevocationState,
        tick: Duration = .seconds(1), idleTimeout: Duration? = .seconds(6), pruneGrace: Int64, logger: Logger
    ) {
        self.endpoint = endpoint
        self.channel = channel
        self.feed = feed
        self.state = state
        self.tick = tick
        self.idleTimeout = idleTimeout
        self.pruneGrace = pruneGrace
        self.logger = logger
    }

    /// One input of the subscriber's sequence.
    private enum Input: Sendable {
        case redis(RedisSubscription.Event)
        case tick
    }

    /// Subscribes and applies until shutdown or cancellation.
    public func run() async throws {
        let subscription = RedisSubscription(endpoint: endpoint, channels: [channel], idleTimeout: idleTimeout, logger: logger)
        defer { subscription.close() }
        let (inputs, continuation) = AsyncStream.makeStream(of: Input.self)
        let tick = self.tick
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in subscription.events { continuation.yield(.redis(event)) }
                continuation.finish()
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    continuation.yield(.tick)
                }
            }
            await cancelWhenGracefulShutdown {
                for await input in inputs {
                    if Task.isCancelled { break }
                    await handle(input)
                }
            }
            subscription.close()
            group.cancelAll()
        }
    }

    private func handle(_ input: Input) async {
        let action: RevocationSync.Action
        switch input {
        case .redis(.connected):
            action = state.update { $0.connected() }
        case .redis(.disconnected(let reason)):
            logger.warning("revocation channel lost; catching up after reconnect", metadata: ["reason": "\(reason)"])
            state.update { $0.disconnected() }
            return
        case .redis(.message(let from, let payload)):
            guard from == channel, let message = Self.decode(payload) else {
                logger.warning("malformed revocation message ignored", metadata: ["bytes": "\(payload.count)"])
                return
            }
            action = state.update { $0.received(message, at: .now) }
        case .tick:
            let unixNow = Int64(Date().timeIntervalSince1970)
            action = state.update { sync in
                sync.prune(unixNow: unixNow, grace: pruneGrace)
                return sync.needsCatchUp ? .catchUp(after: sync.denyList.lastAppliedSeq) : .none
            }
        }
        if case .catchUp(let after) = action { await catchUp(after: after) }
    }

    private func catchUp(after seq: Int64) async {
        var after: Int64? = seq
        while let from = after {
            do {
                let page = try await feed.page(after: from)
                let next = state.update { $0.caughtUp(items: page.items.filter { $0.v == 1 }, head: page.head, at: .now) }
                logger.debug("revocations caught up", metadata: ["after": "\(from)", "head": "\(page.head)", "items": "\(page.items.count)"])
                guard case .catchUp(let again) = next else { return }
                logger.warning("revocation list ahead of the log (forged message?): rebuilding from a snapshot", metadata: ["head": "\(page.head)"])
                after = from == again ? nil : again
            } catch {
                logger.warning("revocation catch-up failed; retrying", metadata: ["after": "\(from)", "error": "\(error)"])
                after = nil
            }
        }
    }

    /// A §5.3 message of a version this kit understands, or nil.
    private static func decode(_ payload: [UInt8]) -> RevocationMessage? {
        guard payload.count <= 64 << 10, let message = try? JSONDecoder().decode(RevocationMessage.self, from: Data(payload)),
            message.v == 1
        else { return nil }
        return message
    }
}
