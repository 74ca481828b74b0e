import LedgerTesting
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import LedgerBFF

@Suite("The BFF's upstream connections: refused, silent and closing upstreams")
struct UpstreamPoolTests {
    static func get(_ pool: UpstreamPool, _ origin: UpstreamOrigin, within: TimeAmount = .seconds(5)) async -> Result<UpstreamAnswer, UpstreamError> {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: origin.basePath + "/ping")
        head.headers.add(name: "Host", value: origin.authority)
        do throws(UpstreamError) {
            return .success(try await pool.send(head, body: nil, to: origin, deadline: .now() + within))
        } catch {
            return .failure(error)
        }
    }

    @Test("nobody listening: connect")
    func refused() async throws {
        let port = try await LiveStack.freePort()
        let origin = try #require(UpstreamOrigin(url: "http://127.0.0.1:\(port)/v1"))
        let pool = try UpstreamPool(limit: 2)
        guard case .failure(let error) = await Self.get(pool, origin) else { Issue.record("a refused connection answered"); return }
        #expect(error == .connect)
        // The failed connection gave its slot back: two more tries fail the same way, without waiting.
        for _ in 0..<2 {
            guard case .failure(let again) = await Self.get(pool, origin, within: .milliseconds(500)) else { Issue.record("answered"); return }
            #expect(again == .connect)
        }
    }

    @Test("a listener that never answers: timeout at the deadline, and the connection is not reused")
    func silent() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let origin = try #require(UpstreamOrigin(url: "http://127.0.0.1:\(port)"))
        let pool = try UpstreamPool(limit: 1)
        let started = ContinuousClock.now
        guard case .failure(let error) = await Self.get(pool, origin, within: .milliseconds(300)) else { Issue.record("answered"); return }
        let elapsed = ContinuousClock.now - started
        #expect(error == .timeout)
        // The upper bound only says the wait ends: 8.5 s was seen while the whole suite starts on two cores.
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(30), "\(elapsed)")
        // With a limit of one, a second call only proceeds if the timed-out connection freed its slot.
        guard case .failure(let second) = await Self.get(pool, origin, within: .milliseconds(300)) else { Issue.record("answered"); return }
        #expect(second == .timeout)
    }

    @Test("origins: http and https only, default ports, the Host header, the base path without its last /")
    func origins() throws {
        let api = try #require(UpstreamOrigin(url: "https://api.example/base/"))
        #expect(api.tls && api.port == 443 && api.authority == "api.example" && api.basePath == "/base")
        let local = try #require(UpstreamOrigin(url: "http://127.0.0.1:8081"))
        #expect(!local.tls && local.port == 8081 && local.authority == "127.0.0.1:8081" && local.basePath == "")
        for refused in ["ftp://x/", "http://user:pw@x/", "http://x/?q=1", "http://x/#f", "api.example/base", "http:///path"] {
            #expect(UpstreamOrigin(url: refused) == nil, "\(refused)")
        }
    }
}
