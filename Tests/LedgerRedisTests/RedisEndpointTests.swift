import LedgerRedis
import Testing

@Suite struct RedisEndpointTests {
    @Test func parsesHostPortAndDatabase() throws {
        let endpoint = try RedisEndpoint(url: "redis://cache.internal:6380/3")
        #expect(endpoint == RedisEndpoint(host: "cache.internal", port: 6380, database: 3))
    }

    @Test func defaultsToPort6379AndDatabase0() throws {
        #expect(try RedisEndpoint(url: "redis://localhost") == RedisEndpoint(host: "localhost"))
    }

    @Test func keepsCredentialsOutOfTheDescription() throws {
        let endpoint = try RedisEndpoint(url: "redis://relay:s3cret@10.0.0.5:6379/1")
        #expect(endpoint.username == "relay")
        #expect(endpoint.password == "s3cret")
        #expect(endpoint.description == "redis://10.0.0.5:6379/1")
    }

    @Test(arguments: ["http://localhost:6379/0", "redis://:6379/0", "redis://localhost/x", "redis://localhost/-1", "rediss://h/0"])
    func refusesMalformedURLs(_ url: String) {
        #expect(throws: RedisError.self) { try RedisEndpoint(url: url) }
    }

    @Test func backoffDoublesUpToTheMaximum() {
        let backoff = RedisBackoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect((1...6).map { backoff.delay(afterFailures: $0) } == [
            .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1),
        ])
    }
}
