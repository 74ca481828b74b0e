import CoreMetrics
import Prometheus

/// The Prometheus registry behind swift-metrics, configured so the writer's Recorder and
/// Timer become histograms with buckets that fit them. Built once at the composition root,
/// which calls ``bootstrapSystem()``; `/metrics` renders ``exposition()``.
package struct MetricsBootstrap: Sendable {
    /// Batch sizes (events per commit): powers of two up to the writer's batch limit.
    package static let batchEventBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
    /// Commit latencies: 0.5 ms to 2.5 s.
    package static let commitBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
    ]

    /// The registry `/metrics` renders.
    package let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into ``registry``.
    package let factory: PrometheusMetricsFactory

    /// Creates a registry and its factory; Recorders become value histograms and Timers
    /// duration histograms (in seconds), with per-metric buckets for the writer.
    package init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["tokenledger_writer_batch_events"] = Self.batchEventBuckets
        factory.durationHistogramBuckets["tokenledger_writer_commit_seconds"] = Self.commitBuckets
        factory.defaultDurationHistogramBuckets = Self.commitBuckets
        self.factory = factory
    }

    /// Makes this factory the process-wide metrics backend. Call once per process, before any
    /// metric is created (swift-metrics allows a single bootstrap).
    package func bootstrapSystem() {
        MetricsSystem.bootstrap(factory)
    }

    /// Runs `body` with this factory bound to the task (and its child tasks) instead of the
    /// process-wide one: metrics created inside land in ``registry``. For tests.
    package func withFactory<T>(_ body: () async throws -> T) async rethrows -> T {
        try await withMetricsFactory(factory) { try await body() }
    }

    /// The registry in the Prometheus text exposition format (version 0.0.4).
    package func exposition() -> String {
        registry.emitToString()
    }
}
