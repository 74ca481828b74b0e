/// When a live projection row stops mattering (docs/storage.md): from then on no request can be
/// answered differently for its absence, so the sweeper removes it and a rebuild at that time
/// does not write it. Nil: it matters as long as its aggregate exists.
public enum Retention {
    /// How long after its `until` a revocation still matters: the validators' largest clock
    /// skew, during which they may still accept a token that has expired. The deny-list keeps
    /// an entry, and the broadcast's catch-up feed a message, this much longer.
    public static let validatorSkew: Duration = .seconds(15)
}

extension Grant {
    /// A client credentials grant has no live row at all: its one access token needs none (a
    /// revocation of it is a deny-list entry), so it lives in the log only, and is read from
    /// there on the rare occasion it is revoked.
    public var isLogOnly: Bool { flow == .clientCredentials }

    /// When no token of the grant can be used any more: every access and ID token expired, the
    /// code expired, and the refresh family past its absolute limit (or revoked).
    public var retainedUntil: Instant {
        var until = tokensExpireBy
        if let code { until = max(until, code.expiresAt) }
        if refresh != nil, status != .revoked { until = max(until, refreshAbsoluteExpiresAt) }
        return until
    }
}

extension Session {
    /// An ended or revoked session no longer signs anyone in; its revocation lives on in the
    /// deny-list. An active one is kept.
    public var retainedUntil: Instant? {
        switch (endedAt, revokedAt) {
        case (let ended?, let revoked?): max(ended, revoked)
        case (let ended?, nil): ended
        case (nil, let revoked?): revoked
        case (nil, nil): nil
        }
    }
}

extension LoginFlow {
    /// A login flow's handles die at its expiry.
    public var retainedUntil: Instant { expiresAt }
}
