/// The subject-wide revocations of one end user, folded from stream `subject/<sub>`: every
/// token of the subject issued before ``revokedBefore`` is revoked.
public struct SubjectRevocations: Hashable, Sendable, Codable {
    /// The subject.
    public var subject: Subject
    /// Tokens of the subject issued before this instant are revoked.
    public var revokedBefore: Instant
    /// When every token the latest revocation covers has expired anyway.
    public var until: Instant

    /// Creates the state.
    public init(subject: Subject, revokedBefore: Instant, until: Instant) {
        self.subject = subject
        self.revokedBefore = revokedBefore
        self.until = until
    }

    enum CodingKeys: String, CodingKey { case subject = "sub", revokedBefore = "revoked_before", until }
}

/// A request concerning a subject.
public enum SubjectCommand: Sendable, Hashable {
    /// Revoke every token of the subject issued until now; `tokensExpireBy` bounds when the
    /// longest-lived of them expires.
    case revokeTokens(Subject, reason: RevocationReason, tokensExpireBy: Instant)
}

extension SubjectRevocations: Aggregate {
    /// Subject commands are never refused: anyone's tokens may be revoked, known or not.
    public static func decide(
        _ command: SubjectCommand, _ state: SubjectRevocations?, _ context: DecisionContext
    ) -> Decision<SubjectEvent, Never> {
        switch command {
        case .revokeTokens(let subject, let reason, let expireBy):
            return .accepted([
                .revoked(SubjectRevoked(
                    subject: subject, reason: reason, notBefore: context.now,
                    // A later revocation never forgets what an earlier one still covers.
                    until: max(expireBy, context.now, state?.until ?? context.now)
                ))
            ])
        }
    }

    public static func evolve(_ state: SubjectRevocations?, _ event: SubjectEvent) -> SubjectRevocations? {
        switch event {
        case .revoked(let e):
            SubjectRevocations(
                subject: e.subject, revokedBefore: max(state?.revokedBefore ?? e.notBefore, e.notBefore),
                until: max(state?.until ?? e.until, e.until)
            )
        }
    }
}
