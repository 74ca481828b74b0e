import Foundation

/// A `redis-server` of a test's own, on a free local port with a temporary directory and no
/// persistence, so the test may stop and restart it without disturbing other tests.
package final class PrivateRedisServer: @unchecked Sendable {
    /// The port it listens on (kept across restarts).
    package let port: Int
    private let directory: URL
    private let lock = NSLock()
    private var process: Process?  // guarded by lock

    /// The URL of database 0.
    package var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts a server on a random free port, retrying with other ports when one is taken.
    /// `arguments` are extra `redis-server` options, e.g. `["--user", "relay on >pw ~* &* +@all"]`.
    package static func start(arguments: [String] = []) async throws -> PrivateRedisServer {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let server = PrivateRedisServer(port: Int.random(in: 40_000..<50_000))
            do {
                try await server.start(arguments: arguments)
                return server
            } catch {
                lastError = error
                server.stop()
            }
        }
        throw lastError ?? RedisServerError("redis-server did not start")
    }

    private init(port: Int) {
        self.port = port
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-redis-\(port)-\(UUID())")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts (or restarts) the server with extra options and waits until it answers PING.
    package func start(arguments: [String] = []) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "redis-server", "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory.path,
            "--save", "", "--appendonly", "no", "--logfile", directory.appendingPathComponent("redis.log").path,
        ] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        lock.withLock { self.process = process }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else { throw RedisServerError("redis-server on port \(port) exited") }
            if ping() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RedisServerError("redis-server on port \(port) did not answer PING")
    }

    /// Kills the server (SIGKILL: a crash, and the one signal a child of the test process cannot
    /// have blocked) and waits for it to exit. Idempotent.
    package func stop() {
        guard let process = lock.withLock({ () -> Process? in defer { self.process = nil }; return self.process }) else {
            return
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Runs one command with `redis-cli` as the default user and returns its output.
    @discardableResult
    package func command(_ arguments: [String]) -> String {
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cli.arguments = ["redis-cli", "-h", "127.0.0.1", "-p", "\(port)"] + arguments
        let output = Pipe()
        cli.standardOutput = output
        cli.standardError = FileHandle.nullDevice
        guard (try? cli.run()) != nil else { return "" }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        cli.waitUntilExit()
        return text
    }

    private func ping() -> Bool {
        command(["PING"]).contains("PONG")
    }
}

/// A private Redis server could not be started.
package struct RedisServerError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
