import LedgerDomain

/// The subscriber's state as a pure value: the deny-list, whether it is known to be complete,
/// and since when. It returns what to do next; ``RevocationSubscriber`` does it.
///
/// The list is *in sync* from a successful catch-up until a gap is suspected: a heartbeat above
/// the last applied seq, a heartbeat below a revocation applied (which the relay cannot have
/// sent), or a lost connection. Every heartbeat or revocation received while in
/// sync renews `syncedAt`; once `syncedAt` is older than the staleness bound the kit fails closed,
/// and the next successful catch-up (or, after a quiet spell, the next heartbeat) recovers it.
public struct RevocationSync: Sendable {
    /// What the subscriber must do after an input.
    public enum Action: Sendable, Hashable {
        /// Nothing.
        case none
        /// Fetch the feed after this seq, then call ``caughtUp(items:head:at:)`` (and do what it returns).
        case catchUp(after: Int64)
    }

    /// The revocations applied so far.
    public private(set) var denyList = RevocationDenyList()
    /// When the list was last known to be complete; nil before the first catch-up.
    public private(set) var syncedAt: ContinuousClock.Instant?
    /// Whether a gap is known and not yet closed by a catch-up.
    public private(set) var needsCatchUp = true
    /// Whether the next catch-up is the full snapshot that replaces the list.
    private var rebuilding = false

    /// A fresh state: out of sync until the first catch-up.
    public init() {}

    /// Whether validations may rely on the list at `now`.
    public func isFresh(at now: ContinuousClock.Instant, bound: Duration) -> Bool {
        guard let syncedAt else { return false }
        return now - syncedAt <= bound
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

    /// A message from the channel.
    public mutating func received(_ message: RevocationMessage, at now: ContinuousClock.Instant) -> Action {
        switch message.type {
        case .revoked:
            guard denyList.apply(message) != .invalid else { return .none }
            if !needsCatchUp { syncedAt = now }
            return .none
        case .heartbeat:
            // Above the last applied seq: messages were missed. Below a revocation we applied:
            // that one did not come from the relay (forged, or the feed ran ahead of a lagging
            // relay) — the feed's head tells which.
            if message.seq > denyList.lastAppliedSeq || message.seq < denyList.highestRevocationSeq { needsCatchUp = true }
            guard !needsCatchUp else { return .catchUp(after: denyList.lastAppliedSeq) }
            syncedAt = now
            return .none
        }
    }

    /// The feed answered: its items (seq order) and the log head it read them at.
    ///
    /// A head below a revocation already applied means that revocation is not in the log: the
    /// list is rebuilt from a full snapshot (`after=0`). The old list keeps refusing what it
    /// refused until the snapshot replaces it, so nothing revoked slips through meanwhile.
    public mutating func caughtUp(items: [RevocationMessage], head: Int64, at now: ContinuousClock.Instant) -> Action {
        var list = rebuilding ? RevocationDenyList() : denyList
        for item in items { list.apply(item) }
        guard head >= list.highestRevocationSeq else {
            rebuilding = true
            needsCatchUp = true
            return .catchUp(after: 0)
        }
        list.advance(to: head)
        denyList = list
        rebuilding = false
        needsCatchUp = false
        syncedAt = now
        return .none
    }

    /// Drops entries every covered token of which has expired (see ``RevocationDenyList/prune(now:grace:)``).
    public mutating func prune(unixNow: Int64, grace: Int64) {
        denyList.prune(now: unixNow, grace: grace)
    }
}
