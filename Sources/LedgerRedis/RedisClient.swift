import Logging
import NIOPosix
import Synchronization

/// Runs Redis commands over one connection owned by a dedicated thread, so the blocking hiredis
/// calls never run on a NIO event loop or the cooperative pool.
///
/// The connection opens on first use. A failed call drops it and throws `.connection`; the next
/// call reconnects, so the caller decides how long to back off. Call `close()` when done: it
/// stops the thread.
///
///     let redis = RedisClient(endpoint: try RedisEndpoint(url: "redis://127.0.0.1:6379/0"), logger: logger)
///     let receivers = try await redis.publish(channel: "tokenledger:revocations", message: Array(json.utf8))
///     let value = try await redis.command("GET", "some-key")
///     await redis.close()
public final class RedisClient: Sendable {
    private let endpoint: RedisEndpoint
    private let timeout: Duration
    private let logger: Logger
    private let thread = NIOThreadPool(numberOfThreads: 1)
    /// Only locked on `thread`, so never contended; the lock makes the ownership checkable.
    private let connection = Mutex<RedisConnection?>(nil)

    /// Creates a client; `timeout` bounds connecting and each command's round trip.
    public init(endpoint: RedisEndpoint, timeout: Duration = .seconds(2), logger: Logger) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.logger = logger
        thread.start()
    }

    /// Runs one command (its arguments as text) and returns the reply; an error reply throws
    /// `.reply`.
    public func command(_ arguments: String...) async throws(RedisError) -> RedisReply {
        try await pipeline([arguments.map { Array($0.utf8) }])[0]
    }

    /// Runs commands (each a list of binary-safe arguments) pipelined in one round trip and
    /// returns their replies in order; the first error reply throws `.reply`. When it throws,
    /// any prefix of the commands may have run.
    public func pipeline(_ commands: [[[UInt8]]]) async throws(RedisError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await onThread { connection throws(RedisError) in
            for command in commands { try connection.append(command) }
            return try commands.map { command throws(RedisError) in
                try connection.readReply().expectSuccess(String(decoding: command[0], as: UTF8.self))
            }
        }
    }

    /// Publishes one message and returns how many subscribers received it.
    public func publish(channel: String, message: [UInt8]) async throws(RedisError) -> Int {
        try await publish(channel: channel, messages: [message])[0]
    }

    /// Publishes messages in order, pipelined in one round trip, and returns each one's receiver
    /// count. When it throws, any prefix of the messages may have been published.
    public func publish(channel: String, messages: [[UInt8]]) async throws(RedisError) -> [Int] {
        guard !messages.isEmpty else { return [] }
        let name = Array(channel.utf8)
        let replies = try await pipeline(messages.map { [Array("PUBLISH".utf8), name, $0] })
        return try replies.map { reply throws(RedisError) in
            guard case .integer(let receivers) = reply else {
                throw RedisError(.reply, "PUBLISH answered something other than an integer")
            }
            return Int(receivers)
        }
    }

    /// Closes the connection and stops the thread. Later calls throw `.closed`.
    public func close() async {
        _ = try? await thread.runIfActive { [self] in connection.withLock { $0 = nil } }
        try? await thread.shutdownGracefully()
    }

    /// Runs `body` on the publisher's thread with an open connection; a failure drops the
    /// connection so the next call reconnects.
    private func onThread<T: Sendable>(
        _ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> T
    ) async throws(RedisError) -> T {
        let result: Result<T, RedisError>
        do {
            result = try await thread.runIfActive { [self] in
                connection.withLock { current -> Result<T, RedisError> in
                    do throws(RedisError) {
                        let open: RedisConnection
                        if let current {
                            open = current
                        } else {
                            open = try RedisConnection(endpoint: endpoint, timeout: timeout)
                            logger.debug("redis client connected", metadata: ["redis": "\(endpoint)"])
                        }
                        current = open
                        return .success(try body(open))
                    } catch {
                        current = nil
                        return .failure(error)
                    }
                }
            }
        } catch {
            throw RedisError(.closed, "client is closed or the call was cancelled")
        }
        return try result.get()
    }
}
