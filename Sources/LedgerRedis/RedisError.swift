/// An error of the Redis adapter: an opaque code plus context. Never carries a password or a
/// message payload.
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The URL is not `redis://[user:password@]host[:port][/db]`.
        public static let invalidURL = Code(name: "invalid_url")
        /// Connecting, writing or reading failed; the connection was dropped and the next call
        /// reconnects. A command that failed this way may or may not have run.
        public static let connection = Code(name: "connection")
        /// Redis answered the command with an error reply.
        public static let reply = Code(name: "reply")
        /// The publisher or subscription was closed.
        public static let closed = Code(name: "closed")
    }

    /// The kind of failure.
    public var code: Code
    /// What was being done, without secrets.
    public var detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "RedisError(\(code)): \(detail)" }
}
