import Synchronization

/// Tokens whose signature and claims were already checked, by their exact text, until they
/// expire. A lookup takes one lock and one hash: the cached path of the validator.
///
/// The cache holds token text in memory only, as the request that carried it does; it is
/// bounded by `capacity` (expired entries are swept first, then everything is dropped).
final class ValidationCache: Sendable {
    private let capacity: Int
    private let entries = Mutex([String: AccessToken]())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The validated claims of `token`, if it was validated before.
    func lookup(_ token: String) -> AccessToken? {
        entries.withLock { $0[token] }
    }

    /// Remembers a validated token; `unixNow` sweeps expired entries when the cache is full.
    func insert(_ token: String, _ claims: AccessToken, unixNow: Int64) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > unixNow }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = claims
        }
    }

    /// Forgets every entry (the signing keys changed).
    func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
