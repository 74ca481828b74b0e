import Foundation
import LedgerRedis
import LedgerTesting
import Logging
import Testing

/// Publisher and subscription against real Redis servers: the shared one from the environment,
/// and private ones the tests stop and restart.
@Suite struct RedisPubSubTests {
    let logger = Logger(label: "test.redis")

    @Test func deliversBinaryMessagesInOrderAndCountsReceivers() async throws {
        let endpoint = try RedisEndpoint(url: TestEnvironment.redisURL)
        let channel = "test:\(UUID())"
        let subscription = RedisSubscription(endpoint: endpoint, channels: [channel], logger: logger)
        defer { subscription.close() }
        try await connected(subscription)
        let publisher = RedisClient(endpoint: endpoint, logger: logger)
        let messages: [[UInt8]] = [Array("{\"seq\":1}".utf8), [0, 255, 10, 13, 0], Array("é".utf8)]
        let first = try await publisher.publish(channel: channel, message: messages[0])
        let rest = try await publisher.publish(channel: channel, messages: Array(messages.dropFirst()))
        await publisher.close()
        #expect(first == 1)
        #expect(rest == [1, 1])
        #expect(try await payloads(3, from: subscription) == messages)
    }

    @Test func selectsTheURLsDatabase() async throws {
        var endpoint = try RedisEndpoint(url: TestEnvironment.redisURL)
        endpoint.database = 5
        let publisher = RedisClient(endpoint: endpoint, logger: logger)
        #expect(try await publisher.publish(channel: "test:\(UUID())", message: [1]) == 0)
        endpoint.database = 100_000
        let refused = RedisClient(endpoint: endpoint, logger: logger)
        await #expect(throws: RedisError.self) { try await refused.publish(channel: "test", message: [1]) }
        await publisher.close()
        await refused.close()
    }

    @Test func publisherFailsWhileRedisIsDownAndRecoversWhenItIsBack() async throws {
        let server = try await PrivateRedisServer.start()
        let endpoint = try RedisEndpoint(url: server.url)
        let publisher = RedisClient(endpoint: endpoint, timeout: .seconds(1), logger: logger)
        #expect(try await publisher.publish(channel: "c", message: [1]) == 0)
        server.stop()
        let error = await #expect(throws: RedisError.self) { try await publisher.publish(channel: "c", message: [2]) }
        #expect(error?.code == .connection)
        try await server.start()
        #expect(try await publisher.publish(channel: "c", message: [3]) == 0)
        await publisher.close()
        let closed = await #expect(throws: RedisError.self) { try await publisher.publish(channel: "c", message: [4]) }
        #expect(closed?.code == .closed)
    }

    @Test func subscriptionReportsTheOutageAndResubscribes() async throws {
        let server = try await PrivateRedisServer.start()
        let endpoint = try RedisEndpoint(url: server.url)
        let subscription = RedisSubscription(
            endpoint: endpoint, channels: ["a", "b"], backoff: RedisBackoff(initial: .milliseconds(20), maximum: .milliseconds(200)),
            logger: logger
        )
        defer { subscription.close() }
        try await connected(subscription)
        server.stop()
        let lost = try await nextEvent(of: subscription) { if case .disconnected = $0 { true } else { false } }
        #expect(lost != .connected)
        try await server.start()
        try await connected(subscription)
        let publisher = RedisClient(endpoint: endpoint, logger: logger)
        #expect(try await publisher.publish(channel: "b", message: Array("after".utf8)) == 1)
        await publisher.close()
        let message = try await nextEvent(of: subscription) { if case .message = $0 { true } else { false } }
        #expect(message == .message(channel: "b", payload: Array("after".utf8)))
    }

    @Test func anIdleConnectionIsTakenAsLostAndReplaced() async throws {
        let server = try await PrivateRedisServer.start()
        let subscription = RedisSubscription(
            endpoint: try RedisEndpoint(url: server.url), channels: ["quiet"],
            backoff: RedisBackoff(initial: .milliseconds(10), maximum: .milliseconds(50)), idleTimeout: .milliseconds(300), logger: logger
        )
        defer { subscription.close() }
        try await connected(subscription)
        let lost = try await nextEvent(of: subscription) { if case .disconnected = $0 { true } else { false } }
        #expect(lost != .connected)
        try await connected(subscription)
        server.stop()
    }

    @Test func closeFinishesTheStream() async throws {
        let endpoint = try RedisEndpoint(url: TestEnvironment.redisURL)
        let subscription = RedisSubscription(endpoint: endpoint, channels: ["test:\(UUID())"], logger: logger)
        try await connected(subscription)
        subscription.close()
        var remaining: [RedisSubscription.Event] = []
        for await event in subscription.events { remaining.append(event) }
        #expect(remaining.isEmpty)
    }
}
