import LedgerDomain
import Synchronization

/// This process's copies of sessions it read recently, so a proxied call needs no Redis round
/// trip and no unsealing (docs/bff.md#session-cache). A copy serves only while its access token
/// is outside the refresh-ahead window and the session has not reached its end, and only while
/// the cache hears every ending: the endings channel (logouts, refusals and revocations on any
/// replica) and the revocation broadcast must both be live, else every call reads Redis.
///
/// An ending removes the copy at once. A read that raced an ending is not cached: inserts name
/// the ``generation`` seen before their Redis read and are dropped if an ending came since.
final class SessionCache: Sendable {
    private struct Copy {
        var loaded: SessionStore.Loaded
        /// Unix seconds: the copy serves before this.
        var servesUntil: Int64
    }

    private struct State {
        var copies: [String: Copy] = [:]
        var generation: UInt64 = 0
        var hearsEndings = false
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let refreshAhead: Int64

    /// A cache of at most `capacity` sessions, each serving until its access token enters the
    /// `refreshAhead` window.
    init(capacity: Int, refreshAhead: Duration) {
        self.capacity = capacity
        self.refreshAhead = refreshAhead.components.seconds
    }

    /// The copy of the session stored under `name`, if it may serve at `now`.
    func session(named name: String, now: Int64) -> SessionStore.Loaded? {
        state.withLock { state in
            guard state.hearsEndings, let copy = state.copies[name] else { return nil }
            guard now < copy.servesUntil else {
                state.copies[name] = nil
                return nil
            }
            return copy.loaded
        }
    }

    /// Counts endings: take it before reading Redis, and pass it to ``keep(_:readAt:now:)``.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Keeps `loaded` until its access token needs a refresh or the session ends, unless an
    /// ending came after `readAt` (a ``generation``), the cache cannot hear endings, or it is
    /// full of live copies.
    func keep(_ loaded: SessionStore.Loaded, readAt: UInt64, now: Int64) {
        let servesUntil = min(loaded.session.expiresAt, loaded.session.accessTokenExpiresAt - refreshAhead)
        state.withLock { state in
            guard state.hearsEndings, state.generation == readAt, servesUntil > now else { return }
            if state.copies.count >= capacity, state.copies[loaded.name] == nil {
                state.copies = state.copies.filter { now < $0.value.servesUntil }
                guard state.copies.count < capacity else { return }
            }
            state.copies[loaded.name] = Copy(loaded: loaded, servesUntil: servesUntil)
        }
    }

    /// Forgets the session stored under `name` (it ended here or on another replica).
    func forget(name: String) {
        state.withLock { state in
            state.generation &+= 1
            state.copies[name] = nil
        }
    }

    /// Forgets every session a broadcast revocation covers.
    func forget(coveredBy event: RevokedEvent, clientID: String) {
        state.withLock { state in
            state.generation &+= 1
            state.copies = state.copies.filter { !$0.value.loaded.session.isCovered(by: event, clientID: clientID) }
        }
    }

    /// Whether the cache hears every ending; on each change it forgets every copy (endings may
    /// have been missed, or will be).
    func hearsEndings(_ hears: Bool) {
        state.withLock { state in
            guard state.hearsEndings != hears else { return }
            state.hearsEndings = hears
            state.generation &+= 1
            state.copies = [:]
        }
    }
}
