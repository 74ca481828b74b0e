import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and reports what `wait4` saw: exit status, wall time and the
/// child's peak resident set size — the figures the export benchmark quotes.
struct ChildProcess {
    /// How one run ended.
    struct Outcome {
        var exitStatus: Int32
        var seconds: Double
        /// Peak RSS of the child in bytes (`ru_maxrss`).
        var peakResidentBytes: Int
    }

    /// A failed spawn or a non-zero exit.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var executable: String
    var arguments: [String]
    var environment: [String: String]
    /// Where the child's standard output goes (its stderr stays the bench's).
    var standardOutput = "/dev/null"

    /// Spawns the child, blocks a thread until it exits (off the cooperative pool) and fails on a non-zero exit.
    func run() async throws -> Outcome {
        let (executable, arguments, environment, output) = (executable, arguments, environment, standardOutput)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.spawnAndWait(executable, arguments, environment, output) })
            }
        }
    }

    private static func spawnAndWait(_ executable: String, _ arguments: [String], _ environment: [String: String], _ output: String) throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let started = ContinuousClock.now
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw Failure(description: "wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let elapsed = started.duration(to: .now)
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exit == 0 else { throw Failure(description: "\(executable) \(arguments.first ?? "") exited with \(exit)") }
        return Outcome(
            exitStatus: exit,
            seconds: elapsed.seconds,
            peakResidentBytes: usage.ru_maxrss * 1024
        )
    }
}
