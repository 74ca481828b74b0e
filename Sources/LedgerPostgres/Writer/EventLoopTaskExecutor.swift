import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// The writer prefers the event loop of its database connection: a statement is then written,
/// and its answer handled, on that loop's thread, instead of hopping between the cooperative
/// pool and the event loop twice per batch (each hop a thread wake-up on the critical path of
/// every append).
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    /// An executor for `eventLoop`.
    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
