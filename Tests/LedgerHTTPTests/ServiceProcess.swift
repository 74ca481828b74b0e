import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerTesting
import NIOCore
import Testing

/// The real `tokenledger serve` binary as a child process, for tests that need a process:
/// log scraping and `kill -9`. It talks to a test database; its output goes to a file.
final class ServiceProcess: @unchecked Sendable {
    static let adminToken = "process-admin-token-0123456789abcdef-ABCDEF"
    static let keySecret = "process-key-secret-0123456789abcdef-ABCDEF"

    let publicPort: Int
    let adminPort: Int
    let logFile: URL
    private let process: Process

    /// Starts the binary on random free ports and waits until `/readyz` answers; retries with
    /// other ports when a port turns out taken. `environment` adds or overrides variables.
    static func start(
        databaseURL: String, usersFile: String? = nil, logLevel: String = "info", environment: [String: String] = [:]
    ) async throws -> ServiceProcess {
        var lastError: (any Error)?
        for _ in 0..<5 {
            do {
                return try await ServiceProcess(databaseURL: databaseURL, usersFile: usersFile, logLevel: logLevel, extra: environment)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ProcessError("tokenledger did not start")
    }

    private init(databaseURL: String, usersFile: String?, logLevel: String, extra: [String: String]) async throws {
        // 28000–31998: apart from LiveStack.freePort()'s 20000–27999 (in-process stacks of the same
        // test run) and below the ephemeral range, so neither takes the other's port.
        publicPort = Int.random(in: 28000..<31998)
        adminPort = publicPort + 1
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("tokenledger-\(publicPort).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["serve"]
        var environment = ProcessInfo.processInfo.environment
        environment["TOKENLEDGER_DATABASE_URL"] = databaseURL
        environment["TOKENLEDGER_PUBLIC_PORT"] = "\(publicPort)"
        environment["TOKENLEDGER_ADMIN_PORT"] = "\(adminPort)"
        environment["TOKENLEDGER_ADMIN_TOKEN"] = Self.adminToken
        environment["TOKENLEDGER_KEY_SECRET"] = Self.keySecret
        environment["TOKENLEDGER_ISSUER"] = "http://127.0.0.1:\(publicPort)"
        environment["TOKENLEDGER_LOG_LEVEL"] = logLevel
        environment["TOKENLEDGER_USERS_FILE"] = usersFile
        environment.merge(extra) { $1 }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        do {
            try await waitUntilReady()
        } catch {
            stop()
            throw error
        }
    }

    /// A keep-alive HTTP client on the public listener.
    func publicClient() -> ProcessClient { ProcessClient(port: publicPort) }
    /// A keep-alive HTTP client on the admin listener.
    func adminClient() -> ProcessClient { ProcessClient(port: adminPort) }

    /// SIGTERM and wait.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// SIGKILL: no graceful shutdown, no drain.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Everything the process logged.
    func log() throws -> String { try String(contentsOf: logFile, encoding: .utf8) }

    private func waitUntilReady() async throws {
        for _ in 0..<200 {
            if !process.isRunning { throw ProcessError("tokenledger exited: \((try? log()) ?? "")") }
            let client = adminClient()
            if let response = try? await client.send(.get, "/readyz"), response.head.status == .ok {
                try? await client.shutdown()
                return
            }
            try? await client.shutdown()
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessError("tokenledger did not become ready")
    }

    /// Runs `tokenledger serve` with only `environment` (and `PATH`), expecting it to refuse to
    /// start; its exit status and output. It is killed after 20 s.
    static func refusal(environment: [String: String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = ["serve"]
        var variables = environment
        variables["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        process.environment = variables
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, output)
    }

    /// The `tokenledger` binary built beside the test bundle.
    static func binary() throws -> URL {
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory.appendingPathComponent("tokenledger"), URL(fileURLWithPath: ".build/debug/tokenledger")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw ProcessError("tokenledger binary not found next to \(bundleDirectory.path); run swift build --build-tests")
    }
}

/// A keep-alive HTTP/1.1 client on a real connection to the child process.
struct ProcessClient: Sendable {
    let client: TestClient

    init(port: Int) {
        client = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(10)))
        client.connect()
    }

    /// Sends one request.
    func send(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil) async throws -> TestClient.Response {
        var headers = headers
        headers[.connection] = "keep-alive"
        return try await client.execute(
            TestClient.Request(uri, method: method, authority: "127.0.0.1", headers: headers, body: body.map { ByteBuffer(string: $0) })
        )
    }

    /// POSTs a form.
    func postForm(_ uri: String, _ form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestClient.Response {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await send(.post, uri, headers: headers, body: form.map { "\(formEncode($0.0))=\(formEncode($0.1))" }.joined(separator: "&"))
    }

    func shutdown() async throws { try await client.shutdown() }
}

extension TestClient.Response {
    /// The body as text.
    var text: String { body.map { String(buffer: $0) } ?? "" }
    /// The body as a JSON object.
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
}

struct ProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
