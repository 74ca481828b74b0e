import CHiredis

/// A Redis reply, copied out of hiredis' reply object.
public enum RedisReply: Sendable, Hashable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case null
    case array([RedisReply])
    case error(String)

    /// Copies a hiredis reply tree.
    init(_ reply: redisReply) {
        switch reply.type {
        case REDIS_REPLY_STRING:
            self = .string(Array(UnsafeRawBufferPointer(start: reply.str, count: Int(reply.len))))
        case REDIS_REPLY_STATUS:
            self = .status(String(cString: reply.str))
        case REDIS_REPLY_ERROR:
            self = .error(String(cString: reply.str))
        case REDIS_REPLY_INTEGER:
            self = .integer(Int64(reply.integer))
        case REDIS_REPLY_ARRAY:
            let elements = UnsafeBufferPointer(start: reply.element, count: Int(reply.elements))
            self = .array(elements.map { $0.map { RedisReply($0.pointee) } ?? .null })
        default:
            self = .null
        }
    }

    /// The bytes of a string reply as UTF-8 text, nil for any other reply.
    public var text: String? {
        guard case .string(let bytes) = self else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
