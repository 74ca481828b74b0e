import Dispatch
import Foundation
import Logging
import Synchronization

/// A Redis pub/sub subscription read by a dedicated thread, delivered as an `AsyncStream`. It
/// reconnects with exponential backoff for as long as it is open.
///
///     let subscription = RedisSubscription(
///         endpoint: try RedisEndpoint(url: "redis://127.0.0.1:6379/0"),
///         channels: ["tokenledger:revocations"], logger: logger)
///     for await event in subscription.events {
///         switch event {
///         case .connected: break              // subscribed: catch up on what was missed
///         case .message(let channel, let payload): break  // one published message
///         case .disconnected(let reason): break   // messages are being missed until `.connected`
///         }
///     }
///     // elsewhere: subscription.close() ends the stream.
///
/// `.connected` comes once Redis confirmed every channel, so every message published after
/// it is delivered, in publish order, until the next `.disconnected`. Messages published while
/// disconnected are lost: a subscriber catches up from its source of truth after `.connected`.
/// The stream buffers without limit. `close()`, or cancelling the task that iterates `events`,
/// stops the thread and finishes the stream.
public final class RedisSubscription: Sendable {
    /// What the subscription reports.
    public enum Event: Sendable, Hashable {
        /// Subscribed to every channel (first connect or reconnect).
        case connected
        /// A message published on `channel`; the payload is the published bytes.
        case message(channel: String, payload: [UInt8])
        /// The connection was lost; a reconnect follows with backoff.
        case disconnected(reason: String)
    }

    /// The events, in order; finishes after `close()`.
    public let events: AsyncStream<Event>
    private let control = SubscriptionControl()

    /// Starts subscribing to `channels` on a new thread.
    ///
    /// With an `idleTimeout`, a connection that delivers nothing for that long is taken as
    /// lost (a half-open TCP connection would otherwise look alive until TCP keepalive gives
    /// up): `.disconnected`, then a reconnect. Set it above the publisher's heartbeat interval,
    /// e.g. 3 s for TokenLedger's 1 s heartbeat.
    public init(
        endpoint: RedisEndpoint, channels: [String], backoff: RedisBackoff = RedisBackoff(),
        connectTimeout: Duration = .seconds(2), idleTimeout: Duration? = nil, logger: Logger
    ) {
        precondition(!channels.isEmpty, "subscribe to at least one channel")
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        self.events = events
        let reader = SubscriptionReader(
            endpoint: endpoint, channels: channels, backoff: backoff, connectTimeout: connectTimeout,
            idleTimeout: idleTimeout, control: control, continuation: continuation, logger: logger
        )
        continuation.onTermination = { [control] _ in control.close() }
        let thread = Thread { reader.run() }
        thread.name = "redis-subscription"
        thread.start()
    }

    deinit { close() }

    /// Unsubscribes, closes the connection and finishes `events`. Idempotent.
    public func close() {
        control.close()
    }
}

/// The subscription's thread: connect, subscribe, read messages, back off, repeat.
private struct SubscriptionReader: Sendable {
    let endpoint: RedisEndpoint
    let channels: [String]
    let backoff: RedisBackoff
    let connectTimeout: Duration
    let idleTimeout: Duration?
    let control: SubscriptionControl
    let continuation: AsyncStream<RedisSubscription.Event>.Continuation
    let logger: Logger

    func run() {
        var failures = 0
        while !control.isClosed {
            do throws(RedisError) {
                let connection = try RedisConnection(endpoint: endpoint, timeout: connectTimeout)
                defer { connection.close() }
                guard control.register(connection) else { break }
                defer { control.unregister() }
                try subscribe(connection)
                failures = 0
                continuation.yield(.connected)
                logger.debug("redis subscription connected", metadata: ["redis": "\(endpoint)"])
                do throws(RedisError) {
                    try readMessages(connection)
                } catch {
                    guard !control.isClosed else { break }
                    continuation.yield(.disconnected(reason: error.detail))
                    throw error
                }
            } catch {
                failures += 1
                let delay = backoff.delay(afterFailures: failures)
                // One warning per outage; the retries after it are debug noise.
                logger.log(
                    level: failures == 1 ? .warning : .debug, "redis subscription lost, retrying",
                    metadata: ["redis": "\(endpoint)", "error": "\(error)", "retry_in": "\(delay)"]
                )
                control.pause(delay)
            }
        }
        continuation.finish()
    }

    /// Sends SUBSCRIBE and waits for each channel's confirmation; later reads wait up to the
    /// idle timeout (for ever without one).
    private func subscribe(_ connection: RedisConnection) throws(RedisError) {
        try connection.append([Array("SUBSCRIBE".utf8)] + channels.map { Array($0.utf8) })
        for _ in channels {
            guard case .array(let parts) = try connection.readReply().expectSuccess("SUBSCRIBE"),
                parts.first?.text == "subscribe"
            else { throw RedisError(.reply, "SUBSCRIBE was not confirmed") }
        }
        connection.setTimeout(idleTimeout)
    }

    private func readMessages(_ connection: RedisConnection) throws(RedisError) {
        while true {
            let reply = try connection.readReply()
            guard case .array(let parts) = reply, parts.count == 3, parts[0].text == "message",
                let channel = parts[1].text, case .string(let payload) = parts[2]
            else { continue }
            continuation.yield(.message(channel: channel, payload: payload))
        }
    }
}

/// Cross-thread control of a subscription: closing shuts the current socket down, which
/// wakes the reader from its blocking read, and wakes it from a backoff pause.
private final class SubscriptionControl: Sendable {
    private struct State {
        var closed = false
        var socket: Int32?
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    var isClosed: Bool { state.withLock(\.closed) }

    /// Records the connection's socket; false when already closed.
    func register(_ connection: RedisConnection) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.socket = connection.fileDescriptor
            return true
        }
    }

    /// Forgets the socket; called before the connection closes it.
    func unregister() {
        state.withLock { $0.socket = nil }
    }

    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            if let socket = state.socket { _ = shutdown(socket, Int32(SHUT_RDWR)) }
        }
        wakeup.signal()
    }

    /// Waits `delay`, or less if closed meanwhile.
    func pause(_ delay: Duration) {
        let (seconds, attoseconds) = delay.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        _ = wakeup.wait(timeout: .now() + .nanoseconds(nanoseconds))
    }
}
