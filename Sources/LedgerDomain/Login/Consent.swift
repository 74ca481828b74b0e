/// A subject's remembered consent for one client, folded from `consent/<client_id>/<sub>`.
public struct Consent: Hashable, Sendable, Codable {
    public var subject: Subject
    public var clientID: ClientID
    /// The scope remembered; nil once revoked.
    public var scope: Scope?
    /// Until when (nil: until revoked).
    public var until: Instant?

    /// Whether the remembered consent covers `requested` at `now`.
    public func covers(_ requested: Scope, at now: Instant) -> Bool {
        guard let scope, scope.contains(requested) else { return false }
        return until.map { now < $0 } ?? true
    }

    enum CodingKeys: String, CodingKey { case subject = "sub", clientID = "client_id", scope, until }
}

extension Consent: Aggregate {
    /// Consent commands are never refused.
    public typealias Failure = Never

    public static func decide(_ command: ConsentCommand, _ state: Consent?, _ context: DecisionContext) -> Decision<ConsentEvent, Never> {
        switch command {
        case .remember(let remembered):
            return .accepted([.remembered(remembered)])
        case .revoke(let subject, let client):
            guard state?.scope != nil else { return .accepted([]) }
            return .accepted([.revoked(ConsentRevoked(subject: subject, clientID: client, at: context.now))])
        }
    }

    public static func evolve(_ state: Consent?, _ event: ConsentEvent) -> Consent? {
        switch event {
        case .remembered(let e): Consent(subject: e.subject, clientID: e.clientID, scope: e.scope, until: e.until)
        case .revoked(let e): Consent(subject: e.subject, clientID: e.clientID, scope: nil, until: nil)
        }
    }
}
