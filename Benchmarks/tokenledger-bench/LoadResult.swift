/// Throughput and latency of one benchmark phase.
struct LoadResult {
    var name: String
    var operations: Int
    var failures: Int
    var seconds: Double
    /// Per-operation latencies in seconds.
    var latencies: [Double]

    var perSecond: Double { Double(operations) / seconds }

    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    var summary: String {
        let ms = { (s: Double) in String(format: "%.2f ms", s * 1000) }
        return "\(name): \(operations) ops in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", perSecond))/s"
            + " (p50 \(ms(percentile(0.5))), p99 \(ms(percentile(0.99))), max \(ms(percentile(1))), failures \(failures))"
    }
}

/// Runs `workers` concurrent loops of `operation` for `duration`, timing each call.
func measure(
    _ name: String, workers: Int, duration: Duration, operation: @Sendable @escaping (Int) async throws -> Void
) async -> LoadResult {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + duration
    let perWorker = await withTaskGroup(of: ([Double], Int).self) { group in
        for worker in 0..<workers {
            group.addTask {
                var latencies: [Double] = []
                var failures = 0
                while clock.now < deadline {
                    let t0 = clock.now
                    do {
                        try await operation(worker)
                        latencies.append((clock.now - t0).seconds)
                    } catch {
                        failures += 1
                    }
                }
                return (latencies, failures)
            }
        }
        return await group.reduce(into: [([Double], Int)]()) { $0.append($1) }
    }
    let elapsed = (clock.now - start).seconds
    let latencies = perWorker.flatMap(\.0)
    return LoadResult(
        name: name, operations: latencies.count, failures: perWorker.map(\.1).reduce(0, +), seconds: elapsed,
        latencies: latencies
    )
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
