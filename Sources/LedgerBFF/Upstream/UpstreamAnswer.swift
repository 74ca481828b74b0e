import NIOCore
import NIOHTTP1

/// An upstream's answer: its head, and its body whole (a small answer of known length) or as
/// a stream read from the connection as the browser takes it.
struct UpstreamAnswer: Sendable {
    enum Body: Sendable {
        case whole(ByteBuffer)
        case streamed(UpstreamBody)
    }

    var head: HTTPResponseHead
    var body: Body
}

/// The body of a streamed answer. Each element taken lets the connection read on; dropping the
/// sequence before its end closes the connection (its rest is never read).
struct UpstreamBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let parts: AsyncThrowingStream<ByteBuffer, any Error>
    /// Called before each element is awaited: the connection may read more.
    let demand: @Sendable () -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        var parts: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let demand: @Sendable () -> Void

        mutating func next() async throws -> ByteBuffer? {
            demand()
            return try await parts.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(parts: parts.makeAsyncIterator(), demand: demand) }
}
