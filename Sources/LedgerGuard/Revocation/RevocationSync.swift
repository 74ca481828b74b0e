import LedgerDomain

/// The subscriber's state as a pure value: the deny-list, whether it is known to be complete,
/// and since when. It is fed only verified messages (``BroadcastVerifier``) and returns what to
/// do next; ``RevocationSubscriber`` does it.
///
/// Gaps are detected exactly: a revocation whose `prev_seq` is above the last applied seq, or a
/// heartbeat whose `seq` is, means a message was missed; a lost connection means messages may
/// have been. Freshness is the signed `iat` of the newest verified message received while in
/// sync (never ahead of the local clock), or the time of the last successful catch-up: a
/// replayed old heartbeat carries an old `iat` and cannot keep a cut-off subscriber fresh.
/// Times are unix milliseconds.
public struct RevocationSync: Sendable {
    /// What the subscriber must do after an input.
    public enum Action: Sendable, Hashable {
        /// Nothing.
        case none
        /// Fetch the feed after this seq, then call ``caughtUp(items:head:at:)``.
        case catchUp(after: Int64)
    }

    /// The revocations applied so far.
    public private(set) var denyList = RevocationDenyList()
    /// When the list was last known to be complete (unix ms); nil before the first catch-up.
    public private(set) var confirmedAt: Int64?
    /// Whether a gap is known and not yet closed by a catch-up.
    public private(set) var needsCatchUp = true

    /// A fresh state: out of sync until the first catch-up.
    public init() {}

    /// Whether validations may rely on the list at `now` (unix ms).
    public func isFresh(at now: Int64, bound: Duration) -> Bool {
        guard let confirmedAt else { return false }
        return now - confirmedAt <= bound.milliseconds
    }

    /// The subscription (re)connected: whatever was published meanwhile must be fetched.
    public mutating func connected() -> Action {
        needsCatchUp = true
        return .catchUp(after: denyList.lastAppliedSeq)
    }

    /// The subscription lost its connection: messages are being missed.
    public mutating func disconnected() {
        needsCatchUp = true
    }

    /// A verified message from the channel, received at `now` (unix ms).
    public mutating func received(_ message: BroadcastMessage, at now: Int64) -> Action {
        let last = denyList.lastAppliedSeq
        switch message.kind {
        case .revoked(let event):
            guard message.seq > last else { break }
            guard message.prevSeq <= last else {
                needsCatchUp = true
                return .catchUp(after: last)
            }
            denyList.apply(event, seq: message.seq)
        case .heartbeat:
            guard message.seq <= last else {
                needsCatchUp = true
                return .catchUp(after: last)
            }
        case nil:
            return .none
        }
        guard !needsCatchUp else { return .catchUp(after: denyList.lastAppliedSeq) }
        confirm(min(message.iat * 1000, now))
        return .none
    }

    /// The feed answered at `now` (unix ms): its verified items (seq order) and the head it is
    /// complete up to.
    public mutating func caughtUp(items: [BroadcastMessage], head: Int64, at now: Int64) {
        for item in items {
            if case .revoked(let event) = item.kind { denyList.apply(event, seq: item.seq) }
        }
        denyList.advance(to: head)
        needsCatchUp = false
        confirm(now)
    }

    /// Drops entries every covered token of which has expired (see ``RevocationDenyList/prune(now:grace:)``).
    public mutating func prune(unixNow: Int64, grace: Int64) {
        denyList.prune(now: unixNow, grace: grace)
    }

    private mutating func confirm(_ at: Int64) {
        confirmedAt = max(confirmedAt ?? at, at)
    }
}
