import LedgerRedis

/// Waits for the first event matching `predicate`, failing after `limit`.
func nextEvent(
    of subscription: RedisSubscription, within limit: Duration = .seconds(15),
    where predicate: @escaping @Sendable (RedisSubscription.Event) -> Bool
) async throws -> RedisSubscription.Event {
    try await withThrowingTaskGroup(of: RedisSubscription.Event?.self) { group in
        group.addTask {
            for await event in subscription.events where predicate(event) { return event }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let event = try await group.next() ?? nil else { throw SubscriptionTimeout() }
        return event
    }
}

/// Waits for `.connected`.
func connected(_ subscription: RedisSubscription) async throws {
    _ = try await nextEvent(of: subscription) { $0 == .connected }
}

/// Collects the payloads of the next `count` messages.
func payloads(_ count: Int, from subscription: RedisSubscription) async throws -> [[UInt8]] {
    var result: [[UInt8]] = []
    while result.count < count {
        guard case .message(_, let payload) = try await nextEvent(of: subscription, where: { if case .message = $0 { true } else { false } })
        else { continue }
        result.append(payload)
    }
    return result
}

struct SubscriptionTimeout: Error {}
