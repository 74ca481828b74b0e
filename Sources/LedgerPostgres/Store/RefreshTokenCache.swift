import LedgerDomain
import Synchronization

/// The refresh tokens this process issued in its latest rotations, each with everything the
/// next rotation decides on: the grant's state and version, and the versions of the streams
/// whose revocations reach the grant. A rotation of a remembered token reads nothing.
///
/// An entry is exact only while none of those streams moved, and the append that uses it says
/// so: the grant's version is its expected version and the others travel as its read set, both
/// checked under the head lock. Any move (a rotation on another replica, a revocation of the
/// grant, its session, subject or client) fails that append and the rotation is decided again
/// from a fresh read. Entries are taken out when used: a token is rotated once.
final class RefreshTokenCache: Sendable {
    /// Entries kept at most, over two generations: past half of it, the older generation is
    /// dropped (a token not presented for that long is read again when it is).
    let capacity: Int
    private let generations = Mutex<(current: [TokenHash: GrantStore.RefreshTokenGrant], previous: [TokenHash: GrantStore.RefreshTokenGrant])>(([:], [:]))

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// The entry for a presented token, removed.
    func take(_ hash: TokenHash) -> GrantStore.RefreshTokenGrant? {
        generations.withLock { generations in
            generations.current.removeValue(forKey: hash) ?? generations.previous.removeValue(forKey: hash)
        }
    }

    /// Remembers a token just issued.
    func put(_ hash: TokenHash, _ grant: GrantStore.RefreshTokenGrant) {
        generations.withLock { generations in
            if generations.current.count >= capacity / 2 {
                generations.previous = generations.current
                generations.current = [:]
            }
            generations.current[hash] = grant
        }
    }
}
