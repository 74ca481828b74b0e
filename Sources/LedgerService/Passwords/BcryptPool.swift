import Dispatch
import Foundation
import Synchronization

/// Runs bcrypt verifications on a bounded set of threads, off the async executor: at most
/// `workers` at once and `queueLimit` waiting. Beyond that a verification is refused at once
/// (``BcryptPoolError/busy``), so a flood of logins cannot pile up threads or hold requests for
/// minutes; the login answers 503 with `Retry-After`.
package final class BcryptPool: Sendable {
    /// The process's pool: a worker per core, sixteen waiting per worker.
    package static let shared = BcryptPool(
        workers: ProcessInfo.processInfo.activeProcessorCount, queueLimit: 16 * ProcessInfo.processInfo.activeProcessorCount
    )

    private let queue: DispatchQueue
    private let slots: DispatchSemaphore
    private let admitted = Mutex(0)
    private let limit: Int

    /// A pool of `workers` threads with room for `queueLimit` waiting verifications.
    package init(workers: Int, queueLimit: Int) {
        precondition(workers > 0 && queueLimit >= 0)
        queue = DispatchQueue(label: "tokenledger.bcrypt", attributes: .concurrent)
        slots = DispatchSemaphore(value: workers)
        limit = workers + queueLimit
    }

    /// Runs `work` on the pool; throws ``BcryptPoolError/busy`` when it is full.
    package func run(_ work: @escaping @Sendable () -> Bool) async throws(BcryptPoolError) -> Bool {
        let entered = admitted.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard entered else { throw .busy }
        return await withCheckedContinuation { continuation in
            queue.async {
                self.slots.wait()
                let result = work()
                self.slots.signal()
                self.admitted.withLock { $0 -= 1 }
                continuation.resume(returning: result)
            }
        }
    }
}

/// Why a password could not be checked.
package enum BcryptPoolError: Error, Hashable, Sendable {
    /// Every worker is busy and the queue is full.
    case busy
}
