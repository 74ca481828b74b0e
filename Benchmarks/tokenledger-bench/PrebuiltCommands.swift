import LedgerPostgres
import Synchronization

/// One-event commands built before a phase's clock starts, a supply per appender, so the timed
/// loop spends its CPU on appending rather than on JSON encoding (the load generator shares the
/// two cores with the writer and PostgreSQL). An appender whose supply runs out builds its
/// commands in the loop; ``builtInLoop`` counts those.
final class PrebuiltCommands: Sendable {
    private let supply: [[PendingAppend]]
    private let cursors: Mutex<[Int]>
    private let make: @Sendable () throws -> PendingAppend
    private let lateBuilds = Atomic<Int>(0)

    /// Builds `perWorker` commands for each of `workers` appenders, on every core.
    init(workers: Int, perWorker: Int, make: @escaping @Sendable () throws -> PendingAppend) async throws {
        supply = try await withThrowingTaskGroup(of: (Int, [PendingAppend]).self) { group in
            for worker in 0..<workers {
                group.addTask { (worker, try (0..<perWorker).map { _ in try make() }) }
            }
            var supply = [[PendingAppend]](repeating: [], count: workers)
            for try await (worker, commands) in group { supply[worker] = commands }
            return supply
        }
        cursors = Mutex([Int](repeating: 0, count: workers))
        self.make = make
    }

    /// The next command of `worker`.
    func next(for worker: Int) throws -> PendingAppend {
        let index = cursors.withLock { cursors in
            defer { cursors[worker] += 1 }
            return cursors[worker]
        }
        if index < supply[worker].count { return supply[worker][index] }
        lateBuilds.add(1, ordering: .relaxed)
        return try make()
    }

    /// How many commands had to be built inside the timed loop.
    var builtInLoop: Int { lateBuilds.load(ordering: .relaxed) }
}
