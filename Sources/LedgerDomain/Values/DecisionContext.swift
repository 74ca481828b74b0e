/// Everything a decision needs from outside the aggregate: the current time and the
/// policies in force for the client involved. Time is an input; rules never read a clock.
public struct DecisionContext: Sendable {
    /// The time the command is decided at.
    public var now: Instant
    /// The lifetimes and grace window in force for the client involved.
    public var lifetimes: Lifetimes
    /// What a refresh from another fingerprint does, for the client involved.
    public var fingerprintPolicy: FingerprintPolicy

    /// Creates a context.
    public init(now: Instant, lifetimes: Lifetimes = .standard, fingerprintPolicy: FingerprintPolicy = .record) {
        self.now = now
        self.lifetimes = lifetimes
        self.fingerprintPolicy = fingerprintPolicy
    }

    /// When an access token issued under this context expires: the one formula the token's
    /// `exp` claim and its `grant.access_token.issued` event share.
    /// `lifetimes.accessToken` is a public var: the rule itself holds the one-hour bound.
    public var accessTokenExpiresAt: Instant { now.adding(min(lifetimes.accessToken, Lifetimes.maximumAccessToken)) }

    /// When an ID token issued under this context expires (its `exp` and its event's).
    public var idTokenExpiresAt: Instant { now.adding(min(lifetimes.idToken, Lifetimes.maximumIDToken)) }
}
