import LedgerDomain

/// The revocations that can still matter, as a pure value: fed with verified broadcast
/// revocations, asked whether a validated token is covered. No I/O and no clock: every time is an argument.
///
/// Entries are kept until their `until` (plus the validator's skew, which may accept a token
/// that long after its `exp`) and then pruned. Applying a message twice changes nothing.
public struct RevocationDenyList: Sendable, Hashable {
    /// A subject or client revocation: tokens issued before `notBefore` are revoked.
    struct Cutoff: Sendable, Hashable {
        var notBefore: Int64
        var until: Int64
    }

    private(set) var tokens: [String: Int64] = [:]
    private(set) var grants: [String: Int64] = [:]
    private(set) var sessions: [String: Int64] = [:]
    private(set) var subjects: [String: Cutoff] = [:]
    private(set) var clients: [String: Cutoff] = [:]

    /// The seq up to which everything has been applied (a revocation's, or a catch-up's head);
    /// messages at or below it are duplicates.
    public private(set) var lastAppliedSeq: Int64 = 0

    /// An empty list.
    public init() {}

    /// How many entries are held.
    public var count: Int { tokens.count + grants.count + sessions.count + subjects.count + clients.count }

    /// What applying a message did.
    public enum Outcome: Sendable, Hashable {
        /// The revocation was added.
        case applied
        /// Its seq was at or below ``lastAppliedSeq``: ignored.
        case duplicate
        /// Missing the identifier of its scope: ignored.
        case invalid
    }

    /// Applies the revocation announced as log event `seq`; one lacking the identifier of its
    /// scope is `invalid`.
    @discardableResult
    public mutating func apply(_ event: RevokedEvent, seq: Int64) -> Outcome {
        guard seq > lastAppliedSeq else { return .duplicate }
        guard let id = event.identifier else { return .invalid }
        let until = event.until
        switch event.scope {
        case .token: tokens[id] = max(tokens[id] ?? until, until)
        case .grant: grants[id] = max(grants[id] ?? until, until)
        case .session: sessions[id] = max(sessions[id] ?? until, until)
        case .subject: subjects[id] = Self.merge(subjects[id], Cutoff(notBefore: event.notBefore ?? 0, until: until))
        case .client: clients[id] = Self.merge(clients[id], Cutoff(notBefore: event.notBefore ?? 0, until: until))
        }
        lastAppliedSeq = seq
        return .applied
    }

    /// Records that every revocation up to `seq` has been applied (a catch-up reached it).
    public mutating func advance(to seq: Int64) {
        lastAppliedSeq = max(lastAppliedSeq, seq)
    }

    /// Whether a revocation covers the token.
    public func isRevoked(_ token: AccessToken) -> Bool {
        if tokens[token.jti] != nil || grants[token.grantID] != nil { return true }
        if let sid = token.sid, sessions[sid] != nil { return true }
        if let cutoff = subjects[token.subject], token.issuedAt < cutoff.notBefore { return true }
        if let cutoff = clients[token.clientID], token.issuedAt < cutoff.notBefore { return true }
        return false
    }

    /// Drops entries whose `until` is more than `grace` seconds before `now` (Unix seconds):
    /// every token they cover has expired, even allowing for the validator's skew.
    public mutating func prune(now: Int64, grace: Int64) {
        let keep = { (until: Int64) in until + grace >= now }
        tokens = tokens.filter { keep($0.value) }
        grants = grants.filter { keep($0.value) }
        sessions = sessions.filter { keep($0.value) }
        subjects = subjects.filter { keep($0.value.until) }
        clients = clients.filter { keep($0.value.until) }
    }

    /// A later cutoff covers every token an earlier one does; keep the widest.
    private static func merge(_ old: Cutoff?, _ new: Cutoff) -> Cutoff {
        guard let old else { return new }
        return Cutoff(notBefore: max(old.notBefore, new.notBefore), until: max(old.until, new.until))
    }
}
