/// A request to change an OP session.
public enum SessionCommand: Sendable, Hashable {
    /// A user signed in with a password: the session begins, authenticated now.
    case start(SessionID, subject: Subject)
    /// The user logged out (RP-initiated logout): the session ends and every token carrying
    /// its `sid` is revoked. `tokensExpireBy` bounds when the longest-lived of them expires.
    case end(reason: RevocationReason, tokensExpireBy: Instant)
    /// Revoke every token carrying the session id (admin, session limit). `subject` is the
    /// session's user as the caller found it (from the session's grants), used when the
    /// stream does not record one.
    case revoke(SessionID, subject: Subject, reason: RevocationReason, tokensExpireBy: Instant)
}
