import Foundation
import LedgerDomain
import LedgerRedis
import Logging
import Metrics
import ServiceLifecycle

/// Keeps a ``RevocationState`` current: subscribes to the broadcast channel, verifies every
/// message (``BroadcastVerifier``), catches up over the feed on (re)connect and whenever a
/// verified message reveals a gap, retries a failed catch-up every tick, and prunes expired
/// entries. Everything is handled in one sequence, so messages arriving during a catch-up wait
/// and are applied after it (seq at or below the feed's head: duplicates, ignored).
///
/// A message that fails verification is dropped and counted (`tokenledger_guard_broadcast_rejected_total`,
/// by reason) with a warning that names the reason and the message's size, never its content;
/// the watermark and the freshness clock do not move.
public struct RevocationSubscriber: Service {
    private let endpoint: RedisEndpoint
    private let channel: String
    private let verifier: BroadcastVerifier
    private let feed: RevocationFeedClient
    private let state: RevocationState
    private let tick: Duration
    private let idleTimeout: Duration?
    private let pruneGrace: Int64
    private let observer: (@Sendable (RevokedEvent) async -> Void)?
    private let logger: Logger

    /// Creates a subscriber; `tick` paces catch-up retries and pruning, `idleTimeout` takes a
    /// channel silent that long (no heartbeat) as lost and reconnects, `pruneGrace` (seconds,
    /// the validator's skew) keeps entries that long after their `until`. `observer` hears every
    /// verified revocation, from the channel or the feed, possibly more than once (a
    /// duplicate, or a message whose gap sends the subscriber to the feed): act idempotently.
    public init(
        endpoint: RedisEndpoint, channel: String, verifier: BroadcastVerifier, feed: RevocationFeedClient, state: RevocationState,
        tick: Duration = .seconds(1), idleTimeout: Duration? = .seconds(6), pruneGrace: Int64,
        observer: (@Sendable (RevokedEvent) async -> Void)? = nil, logger: Logger
    ) {
        self.endpoint = endpoint
        self.channel = channel
        self.verifier = verifier
        self.feed = feed
        self.state = state
        self.tick = tick
        self.idleTimeout = idleTimeout
        self.pruneGrace = pruneGrace
        self.observer = observer
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
            guard from == channel, let message = await verified(String(decoding: payload, as: UTF8.self), from: "channel") else { return }
            let now = RevocationState.milliseconds(Date())
            action = state.update { $0.received(message, at: now) }
            await observe(message)
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
        do {
            let page = try await feed.page(after: seq)
            var items: [BroadcastMessage] = []
            for item in page.items {
                if let message = await verified(item, from: "feed") { items.append(message) }
            }
            let now = RevocationState.milliseconds(Date())
            state.update { $0.caughtUp(items: items, head: page.head, at: now) }
            for item in items { await observe(item) }
            logger.debug("revocations caught up", metadata: ["after": "\(seq)", "head": "\(page.head)", "items": "\(page.items.count)"])
        } catch {
            logger.warning("revocation catch-up failed; retrying", metadata: ["after": "\(seq)", "error": "\(error)"])
        }
    }

    /// Tells the observer of a verified revocation.
    private func observe(_ message: BroadcastMessage) async {
        guard let observer, case .revoked(let event) = message.kind else { return }
        await observer(event)
    }

    /// The verified claims of a message, or nil after counting and logging why it was dropped.
    private func verified(_ compact: String, from source: String) async -> BroadcastMessage? {
        do {
            return try await verifier.verify(compact)
        } catch {
            state.countRejected()
            Counter(label: "tokenledger_guard_broadcast_rejected_total", dimensions: [("reason", error.code.description)]).increment()
            logger.warning(
                "unverified revocation message dropped",
                metadata: ["source": "\(source)", "reason": "\(error.code.description)", "bytes": "\(compact.utf8.count)"]
            )
            return nil
        }
    }
}
