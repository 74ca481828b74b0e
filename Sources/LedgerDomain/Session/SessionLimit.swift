/// The optional per-subject concurrent session limit (docs/openid-connect.md#session-limit): when a subject holds more active
/// sessions than allowed, the oldest go first.
public struct SessionLimit: Hashable, Sendable {
    /// Most active sessions one subject may hold; nil is unlimited.
    public var maxPerSubject: Int?

    /// Creates the policy; nil, zero or a negative limit means unlimited (the configuration's
    /// `sessions.max_per_subject: 0`).
    public init(maxPerSubject: Int?) {
        self.maxPerSubject = maxPerSubject.flatMap { $0 > 0 ? $0 : nil }
    }

    /// No limit.
    public static let unlimited = SessionLimit(maxPerSubject: nil)

    /// The sessions to revoke among one subject's `active` sessions, oldest first: all but the
    /// newest `maxPerSubject`, by `auth_time` (ties broken by sid so every replica agrees).
    public func evictions(among active: [Session]) -> [SessionID] {
        guard let maxPerSubject, active.count > maxPerSubject else { return [] }
        let oldestFirst = active.sorted {
            let (a, b) = ($0.authTime ?? .init(milliseconds: 0), $1.authTime ?? .init(milliseconds: 0))
            return a == b ? $0.sessionID < $1.sessionID : a < b
        }
        return oldestFirst.prefix(active.count - maxPerSubject).map(\.sessionID)
    }
}
