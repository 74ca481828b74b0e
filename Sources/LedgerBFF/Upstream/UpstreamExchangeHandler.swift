import NIOCore
import NIOHTTP1

/// One request to send on an upstream connection and the promise its answer fulfils.
struct UpstreamExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var answer: EventLoopPromise<UpstreamAnswer>
    /// The answer (its head, and a small body whole) must come by then.
    var deadline: NIODeadline
}

/// The last handler of an upstream connection: sends one exchange at a time and fulfils its
/// promise. A small answer of known length comes whole; any other is streamed, and reading
/// pauses while ``streamHighWater`` parts wait for the browser. When an exchange ends, `ended`
/// is told whether the connection can serve another (keep-alive, fully read).
final class UpstreamExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = UpstreamExchange
    typealias OutboundOut = HTTPClientRequestPart

    /// Answers up to this size with a `Content-Length` come whole.
    static let wholeAnswerLimit = 64 * 1024
    /// Streamed parts waiting for the browser before the connection stops reading.
    static let streamHighWater = 4

    private enum State {
        case idle
        case awaitingHead(EventLoopPromise<UpstreamAnswer>)
        case collecting(HTTPResponseHead, ByteBuffer, EventLoopPromise<UpstreamAnswer>)
        case streaming(AsyncThrowingStream<ByteBuffer, any Error>.Continuation)
        case closed
    }

    private var state = State.idle
    private var keepAlive = true
    private var waitingParts = 0
    private var readHeld = false
    private var timeout: Scheduled<Void>?
    private let ended: @Sendable (_ channel: any Channel, _ reusable: Bool) -> Void

    init(ended: @escaping @Sendable (_ channel: any Channel, _ reusable: Bool) -> Void) {
        self.ended = ended
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard case .idle = state, context.channel.isActive else {
            exchange.answer.fail(UpstreamError.closedBeforeAnswer)
            promise?.fail(UpstreamError.closedBeforeAnswer)
            return
        }
        state = .awaitingHead(exchange.answer)
        keepAlive = exchange.head.isKeepAlive
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(deadline: exchange.deadline) {
            let (handler, context) = loopBound.value
            handler.fail(context, UpstreamError.timeout)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), .awaitingHead(let promise)):
            keepAlive = keepAlive && head.isKeepAlive
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), (0...Self.wholeAnswerLimit).contains(length) {
                state = .collecting(head, context.channel.allocator.buffer(capacity: length), promise)
                return
            }
            timeout?.cancel()
            let (parts, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            continuation.onTermination = { termination in
                guard case .cancelled = termination else { return }
                eventLoop.execute { loopBound.value.0.abandon(loopBound.value.1) }
            }
            state = .streaming(continuation)
            waitingParts = 0
            let body = UpstreamBody(parts: parts) { eventLoop.execute { loopBound.value.0.took(loopBound.value.1) } }
            promise.succeed(UpstreamAnswer(head: head, body: .streamed(body)))
        case (.body(var part), .collecting(let head, var buffer, let promise)):
            state = .idle  // no copy of the buffer while it grows
            buffer.writeBuffer(&part)
            state = .collecting(head, buffer, promise)
        case (.body(let part), .streaming(let continuation)):
            waitingParts += 1
            continuation.yield(part)
        case (.end, .collecting(let head, let buffer, let promise)):
            timeout?.cancel()
            state = .idle
            promise.succeed(UpstreamAnswer(head: head, body: .whole(buffer)))
            ended(context.channel, keepAlive)
        case (.end, .streaming(let continuation)):
            state = .idle
            continuation.finish()
            ended(context.channel, keepAlive)
        case (_, .closed):
            break
        default:
            fail(context, UpstreamError.closedBeforeAnswer)  // an answer nobody asked for
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .streaming = state, waitingParts >= Self.streamHighWater {
            readHeld = true
            return
        }
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, UpstreamError.closedBeforeAnswer)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context, UpstreamError.closedBeforeAnswer)
        context.fireChannelInactive()
    }

    /// The browser took a streamed part: read on if reading was held.
    private func took(_ context: ChannelHandlerContext) {
        waitingParts = max(0, waitingParts - 1)
        guard readHeld, waitingParts < Self.streamHighWater else { return }
        readHeld = false
        context.read()
    }

    /// The browser stopped taking a streamed answer: its rest is never read, so the connection closes.
    private func abandon(_ context: ChannelHandlerContext) {
        guard case .streaming = state else { return }
        fail(context, UpstreamError.closedBeforeAnswer)
    }

    /// Ends the exchange in flight with `error` and closes the connection; once.
    private func fail(_ context: ChannelHandlerContext, _ error: UpstreamError) {
        let previous = state
        state = .closed
        timeout?.cancel()
        switch previous {
        case .closed:
            return
        case .idle:
            break
        case .awaitingHead(let promise), .collecting(_, _, let promise):
            promise.fail(error)
            ended(context.channel, false)
        case .streaming(let continuation):
            continuation.finish(throwing: error)
            ended(context.channel, false)
        }
        context.close(promise: nil)
    }
}
