/// How long an OP session may sign a user in without a password: it ends after `idle`
/// without a sign-in through it (the password, or single sign-on), and `absolute` after the
/// login whatever happens (docs/openid-connect.md#session-lifetimes).
public struct SessionLifetimes: Hashable, Sendable {
    /// The longest time without a sign-in through the session. Default 8 hours.
    public var idle: Duration
    /// The longest time from the login. Default 7 days.
    public var absolute: Duration

    /// Creates the policy.
    public init(idle: Duration = .seconds(8 * 3600), absolute: Duration = .seconds(7 * 24 * 3600)) {
        self.idle = idle
        self.absolute = absolute
    }

    /// The defaults: 8 hours idle, 7 days absolute.
    public static let standard = SessionLifetimes()

    /// Why `session` may no longer sign in at `now`, when its last sign-in was at
    /// `lastActivity`; nil while it may. The absolute limit is checked first.
    public func expiry(of session: Session, lastActivity: Instant, at now: Instant) -> RevocationReason? {
        guard let authTime = session.authTime else { return nil }
        if now >= authTime.adding(absolute) { return .sessionAbsoluteTimeout }
        if now >= max(lastActivity, authTime).adding(idle) { return .sessionIdleTimeout }
        return nil
    }
}
