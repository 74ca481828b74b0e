import Foundation
import LedgerDomain

extension Instant {
    /// The wall-clock time. Only the shell calls this; decisions receive `now` as input.
    @Sendable package static func current() -> Instant {
        Instant(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}
