import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Keep-alive HTTP/1.1 connections to the BFF's upstreams, at most ``limit`` per origin; a call
/// beyond the limit waits for a connection to come back (docs/bff.md#api-proxy).
///
/// NIO's HTTP/1 codec and one promise per exchange, rather than AsyncHTTPClient: on this
/// service's two-core reference machine AsyncHTTPClient spent about 240 µs of CPU per proxied
/// call, more than the rest of the BFF's work and the upstream's together (2026-12-07).
final class UpstreamPool: Sendable {
    private struct Origin {
        var idle: [any Channel] = []
        var open = 0
        /// Calls waiting for a connection: handed a released one, or nil to open their own.
        var waiters: [CheckedContinuation<(any Channel)?, Never>] = []
    }

    /// Connections per origin at most.
    let limit: Int
    private let group: any EventLoopGroup
    private let tls: NIOSSLContext
    private let origins = Mutex<[UpstreamOrigin: Origin]>([:])

    /// A pool of at most `limit` connections per origin; `https` origins are checked against
    /// the system's trust roots.
    init(limit: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        self.limit = limit
        self.group = group
        tls = try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    /// Sends `head` (and `body`) to `origin` and returns its answer, which must come by
    /// `deadline`. A reused connection that closes before answering an idempotent request is
    /// replaced once: the upstream may have closed it while it was idle.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, to origin: UpstreamOrigin, deadline: NIODeadline) async throws(UpstreamError)
        -> UpstreamAnswer
    {
        let (channel, reused) = try await acquire(origin)
        do {
            return try await exchange(on: channel, head, body, deadline)
        } catch .closedBeforeAnswer where reused && Self.idempotent.contains(head.method) {
            return try await exchange(on: try await acquire(origin, reusing: false).channel, head, body, deadline)
        }
    }

    /// Methods a request may be sent again with (RFC 9110 §9.2.2).
    static let idempotent: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .PUT, .DELETE, .TRACE]

    /// Closes every idle connection.
    func close() {
        let idle = origins.withLock { origins in
            defer { origins = [:] }
            return origins.values.flatMap(\.idle)
        }
        for channel in idle { channel.close(promise: nil) }
    }

    private func exchange(on channel: any Channel, _ head: HTTPRequestHead, _ body: ByteBuffer?, _ deadline: NIODeadline)
        async throws(UpstreamError) -> UpstreamAnswer
    {
        let answer = channel.eventLoop.makePromise(of: UpstreamAnswer.self)
        channel.writeAndFlush(UpstreamExchange(head: head, body: body, answer: answer, deadline: deadline), promise: nil)
        do {
            return try await answer.futureResult.get()
        } catch let error as UpstreamError {
            throw error
        } catch {
            throw .closedBeforeAnswer
        }
    }

    /// An idle connection to `origin`, a new one while under the limit, or the next one released.
    private func acquire(_ origin: UpstreamOrigin, reusing: Bool = true) async throws(UpstreamError) -> (channel: any Channel, reused: Bool) {
        enum Next { case reuse(any Channel), connect, wait }
        while true {
            let next: Next = origins.withLock { origins in
                var state = origins[origin, default: Origin()]
                defer { origins[origin] = state }
                while reusing, let channel = state.idle.popLast() {
                    if channel.isActive { return .reuse(channel) }
                    state.open -= 1
                }
                guard state.open < limit else { return .wait }
                state.open += 1
                return .connect
            }
            switch next {
            case .reuse(let channel):
                return (channel, true)
            case .connect:
                return (try await connect(origin), false)
            case .wait:
                let handed = await withCheckedContinuation { waiter in
                    let queued = origins.withLock { origins in
                        let state = origins[origin, default: Origin()]
                        guard state.open >= limit, state.idle.isEmpty else { return false }
                        origins[origin, default: Origin()].waiters.append(waiter)
                        return true
                    }
                    if !queued { waiter.resume(returning: nil) }
                }
                if let channel = handed { return (channel, true) }
            }
        }
    }

    /// Opens a connection (its slot is counted already; given back on failure).
    private func connect(_ origin: UpstreamOrigin) async throws(UpstreamError) -> any Channel {
        let tls = origin.tls ? self.tls : nil
        do {
            return try await ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: origin.host)) }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(UpstreamExchangeHandler { channel, reusable in
                            self.release(channel, to: origin, reusable: reusable)
                        })
                    }
                }
                .connect(host: origin.host, port: origin.port).get()
        } catch {
            release(nil, to: origin, reusable: false)
            throw .connect
        }
    }

    /// A connection's exchange ended: it goes to a waiting call or the idle list, or its slot
    /// is freed (and a waiting call told to open its own).
    private func release(_ channel: (any Channel)?, to origin: UpstreamOrigin, reusable: Bool) {
        let reusable = reusable && channel?.isActive == true
        let (keep, waiter): (Bool, CheckedContinuation<(any Channel)?, Never>?) = origins.withLock { origins in
            guard var state = origins[origin] else { return (false, nil) }  // the pool was closed
            defer { origins[origin] = state }
            if !reusable { state.open -= 1 }
            guard state.waiters.isEmpty else { return (reusable, state.waiters.removeFirst()) }
            if reusable, let channel { state.idle.append(channel) }
            return (reusable, nil)
        }
        if !keep { channel?.close(promise: nil) }
        // A waiter gets the kept connection, or the freed slot (nil: it counts itself in again).
        waiter?.resume(returning: keep ? channel : nil)
    }
}
