import NIOCore
import NIOHTTP1
import NIOPosix

/// One keep-alive HTTP/1.1 connection of the load driver: requests go out one at a time and
/// the answer is the status and the raw body.
///
/// On the same two cores, AsyncHTTPClient (used for setup) costs more CPU per request than the
/// server it measures, and HummingbirdTesting's `TestClient` races every request against a
/// timeout task and timer. This driver is NIO's HTTP/1 codec and a promise per request, so the
/// figures are the server's.
final class LoadConnection: Sendable {
    /// A response: status code and body bytes.
    struct Response: Sendable {
        var status: Int
        var body: ByteBuffer

        /// The string value of a top-level JSON field, found without a JSON parser (enough for
        /// the token responses of this service, which escape nothing in these values).
        func jsonString(_ field: String) -> String? {
            let marker = Array("\"\(field)\":\"".utf8)
            return body.withUnsafeReadableBytes { bytes -> String? in
                guard bytes.count >= marker.count else { return nil }
                for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
                    guard marker.indices.allSatisfy({ bytes[start + $0] == marker[$0] }) else { continue }
                    let valueStart = start + marker.count
                    guard let end = bytes[valueStart...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                    return String(decoding: bytes[valueStart..<end], as: UTF8.self)
                }
                return nil
            }
        }
    }

    private let channel: any Channel
    private let host: String

    private init(channel: any Channel, host: String) {
        self.channel = channel
        self.host = host
    }

    /// Connects to `host:port`.
    static func connect(host: String, port: Int) async throws -> LoadConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: host, port: port).get()
        return LoadConnection(channel: channel, host: "\(host):\(port)")
    }

    /// Connects to `host:port`, retrying while the listener is still starting.
    static func connect(retryingFor window: Duration, host: String, port: Int) async throws -> LoadConnection {
        let deadline = ContinuousClock.now + window
        while true {
            do {
                return try await connect(host: host, port: port)
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// POSTs a form body to `path`; returns the response whatever its status.
    func postForm(_ path: String, body: String, authorization: String) async throws -> Response {
        try await send(
            .POST, path, headers: [("Authorization", authorization), ("Content-Type", "application/x-www-form-urlencoded")], body: body
        )
    }

    /// Sends one request with `headers` (and `Content-Length` for a body); returns the response
    /// whatever its status.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: String = "") async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: host)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if method != .GET { head.headers.add(name: "Content-Length", value: String(body.utf8.count)) }
        let promise = channel.eventLoop.makePromise(of: Response.self)
        let request = PendingRequest(head: head, body: ByteBuffer(string: body), promise: promise)
        channel.writeAndFlush(request, promise: nil)
        return try await promise.futureResult.get()
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }
}

/// A request with the promise its response fulfils.
private struct PendingRequest: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer
    var promise: EventLoopPromise<LoadConnection.Response>
}

/// Writes requests and fulfils their promises, in order, with the responses.
private final class ResponseCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting = CircularBuffer<EventLoopPromise<LoadConnection.Response>>()
    private var status = 0
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting.append(request.promise)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(request.body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body.clear()
        case .body(var part):
            body.writeBuffer(&part)
        case .end:
            waiting.popFirst()?.succeed(LoadConnection.Response(status: status, body: body))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        while let promise = waiting.popFirst() { promise.fail(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        while let promise = waiting.popFirst() { promise.fail(ChannelError.ioOnClosedChannel) }
        context.fireChannelInactive()
    }
}
