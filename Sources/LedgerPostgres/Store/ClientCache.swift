import LedgerDomain
import Synchronization

/// Client registrations read recently, with the stream version they were read at.
///
/// A cached registration can be up to ``maxAge`` behind another replica's change. Token
/// issuance does not depend on that bound: it puts the version it used in its append's read set,
/// so a registration that moved in the meantime fails the append (`staleRead`) instead of
/// authorizing a token. This process's own client commands drop the entry at once.
final class ClientCache: Sendable {
    private struct Entry {
        var client: Client
        var version: Int64
        var readAt: ContinuousClock.Instant
    }

    /// How long an entry is used before the registration is read again.
    let maxAge: Duration
    /// Entries kept at most; past it the cache starts over (ids are not attacker-chosen: only
    /// registered clients are cached).
    let capacity: Int
    private let entries = Mutex<[ClientID: Entry]>([:])

    init(maxAge: Duration, capacity: Int = 10_000) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// The cached registration and version, if read within ``maxAge``.
    func fresh(_ id: ClientID, now: ContinuousClock.Instant = .now) -> (client: Client, version: Int64)? {
        entries.withLock { entries in
            guard let entry = entries[id], now - entry.readAt < maxAge else { return nil }
            return (entry.client, entry.version)
        }
    }

    /// Records a registration just read.
    func put(_ client: Client, version: Int64, readAt: ContinuousClock.Instant) {
        entries.withLock { entries in
            if entries.count >= capacity, entries[client.id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[client.id] = Entry(client: client, version: version, readAt: readAt)
        }
    }

    /// Drops a registration known to have changed.
    func forget(_ id: ClientID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
