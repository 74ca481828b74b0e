import CHiredis
import Foundation

/// One blocking hiredis connection. Not thread-safe: its owner uses it from one thread at a
/// time, and that thread is never a NIO event loop or the cooperative pool.
final class RedisConnection {
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects, authenticates when the endpoint has a password, and selects its database.
    /// `timeout` bounds the connect and, until changed, every read and write.
    init(endpoint: RedisEndpoint, timeout: Duration) throws(RedisError) {
        _ = Self.ignoreBrokenPipes
        let limit = timeval(timeout)
        guard let context = redisConnectWithTimeout(endpoint.host, Int32(endpoint.port), limit) else {
            throw RedisError(.connection, "cannot allocate a connection to \(endpoint)")
        }
        self.context = context
        guard context.pointee.err == 0 else {
            throw RedisError(.connection, "connect to \(endpoint): \(errorText)")
        }
        redisSetTimeout(context, limit)
        redisEnableKeepAlive(context)
        if let password = endpoint.password {
            let user = endpoint.username.map { [Array($0.utf8)] } ?? []
            try command([Array("AUTH".utf8)] + user + [Array(password.utf8)]).expectSuccess("AUTH at \(endpoint)")
        }
        if endpoint.database != 0 {
            try command(["SELECT", String(endpoint.database)].map { Array($0.utf8) })
                .expectSuccess("SELECT \(endpoint.database) at \(endpoint)")
        }
    }

    deinit { close() }

    /// hiredis writes with plain `write(2)`: a write to a socket Redis closed must fail with
    /// EPIPE rather than kill the process with SIGPIPE. Set once, for the whole process.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// The socket, for a shutdown from another thread that interrupts a blocking read.
    var fileDescriptor: Int32? { context.map { $0.pointee.fd } }

    /// Frees the connection and closes its socket; later calls fail with `.connection`.
    func close() {
        context.map { redisFree($0) }
        context = nil
    }

    /// Sets the read and write timeout; nil waits for ever.
    func setTimeout(_ timeout: Duration?) {
        context.map { _ = redisSetTimeout($0, timeval(timeout ?? .zero)) }
    }

    /// Sends one command and waits for its reply.
    func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        try append(arguments)
        return try readReply()
    }

    /// Queues a command in the output buffer; `readReply` flushes it. Appending several before
    /// reading pipelines them.
    func append(_ arguments: [[UInt8]]) throws(RedisError) {
        let context = try usableContext()
        let lengths = arguments.map(\.count)
        let joined = Array(arguments.joined())
        let status = joined.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return base.map { $0 + offset }
            }
            return redisAppendCommandArgv(context, Int32(arguments.count), &argv, lengths)
        }
        guard status == REDIS_OK else { throw failure("append a command") }
    }

    /// Flushes queued commands and reads the next reply, blocking up to the timeout.
    func readReply() throws(RedisError) -> RedisReply {
        let context = try usableContext()
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw failure("read a reply") }
        defer { freeReplyObject(raw) }
        return RedisReply(raw.assumingMemoryBound(to: redisReply.self).pointee)
    }

    private func usableContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        guard let context, context.pointee.err == 0 else {
            throw RedisError(.connection, "connection is closed")
        }
        return context
    }

    /// The error of a failed call; the connection is unusable afterwards.
    private func failure(_ action: String) -> RedisError {
        let error = RedisError(.connection, "\(action): \(errorText)")
        close()
        return error
    }

    private var errorText: String {
        guard let context, context.pointee.err != 0 else { return "connection closed" }
        return withUnsafeBytes(of: context.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

extension RedisReply {
    /// Throws `.reply` for an error reply, otherwise returns the reply.
    @discardableResult
    func expectSuccess(_ action: String) throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw RedisError(.reply, "\(action): \(message)") }
        return self
    }
}

extension timeval {
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: numericCast(seconds), tv_usec: numericCast(attoseconds / 1_000_000_000_000))
    }
}
