import LedgerDomain

/// What an administrator revokes (docs/http-api.md): everything of a subject, session, grant or client,
/// or one access token.
package enum RevocationTarget: Sendable, Hashable {
    /// Every token of the subject issued until now, and its grants.
    case subject(Subject)
    /// Every token carrying the session id, and the session's grants.
    case session(SessionID)
    /// One grant (refresh-token family) and every token it issued.
    case grant(GrantID)
    /// Every token of the client issued until now, and its grants; the client stays registered.
    case client(ClientID)
    /// One access token; `expiresAt` overrides the expiry the log recorded for it.
    case accessToken(TokenID, expiresAt: Instant?)
}
