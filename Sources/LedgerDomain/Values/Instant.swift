/// A point in time with millisecond precision, stored as milliseconds since the Unix epoch.
///
/// Events never carry floating-point times: an `Instant` encodes as one integer, so the
/// canonical bytes an event is hashed over are stable across encoders and databases.
public struct Instant: Hashable, Comparable, Sendable, Codable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    /// Creates an instant from milliseconds since the Unix epoch.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Creates an instant from whole seconds since the Unix epoch.
    public init(seconds: Int64) {
        self.milliseconds = seconds * 1000
    }

    /// Whole seconds since the Unix epoch, rounded down (JWT `iat`/`exp` style).
    public var seconds: Int64 { milliseconds / 1000 }

    /// This instant moved forward by `duration`.
    public func adding(_ duration: Duration) -> Instant {
        Instant(milliseconds: milliseconds + duration.milliseconds)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public init(from decoder: any Decoder) throws {
        milliseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(milliseconds)
    }
}

extension Duration {
    /// The duration in whole milliseconds (sub-millisecond parts are dropped).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
