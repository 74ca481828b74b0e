import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerHTTP
import Testing

@Suite("Admin listener: Prometheus /metrics")
struct AdminMetricsTests {
    @Test("/metrics needs no admin key and exposes the writer's batch size and commit latency as histograms")
    func metrics() async throws {
        let metrics = MetricsBootstrap()
        // Bound to this task, so the harness's writer records into this registry only.
        try await metrics.withFactory {
            try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
                _ = try await AdminFixtures.register(h, AdminClientTests.confidential)
                try await Application(router: AdminRouter.build(h.services, metrics: metrics)).test(.router) { client in
                    let response = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                    let text = String(buffer: response.body)
                    #expect(text.contains("# TYPE tokenledger_writer_batch_events histogram"))
                    #expect(text.contains("tokenledger_writer_batch_events_bucket{le=\"4096.0\"}"))
                    #expect(text.contains("# TYPE tokenledger_writer_commit_seconds histogram"))
                    #expect(text.contains("tokenledger_writer_commit_seconds_bucket{le=\"0.0005\"}"))
                    let count = text.split(separator: "\n").first { $0.hasPrefix("tokenledger_writer_batch_events_count") }
                    #expect((count?.split(separator: " ").last).flatMap { Int($0) } ?? 0 >= 1)
                    #expect(!text.contains(HTTPHarness.adminToken))
                }
            }
        }
    }
}
