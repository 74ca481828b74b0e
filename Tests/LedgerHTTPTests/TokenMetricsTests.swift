import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing

@Suite("Token endpoint metrics")
struct TokenMetricsTests {
    @Test("issuance, rotation, reuse and revocation counters, labelled only by grant type and scope")
    func counters() async throws {
        let metrics = MetricsBootstrap()
        try await metrics.withFactory {
            try await HTTPHarness.with { h in
                let (client, _, _, first) = try await TokenRefreshTests.start(h)
                _ = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
                let second = try await TokenFixtures.refresh(h, first, as: client)
                #expect(second.status == .ok)
                _ = try await TokenFixtures.refresh(h, first, as: client)
                let (other, _, access, _) = try await TokenRefreshTests.start(h)
                _ = try await TokenFixtures.post(h, "/revoke", ["token": access], as: other)

                let text = metrics.exposition()
                #expect(text.contains(#"tokenledger_tokens_issued_total{grant_type="authorization_code"} 2"#))
                #expect(text.contains(#"tokenledger_tokens_issued_total{grant_type="client_credentials"} 1"#))
                #expect(text.contains(#"tokenledger_tokens_issued_total{grant_type="refresh_token"} 1"#))
                #expect(text.contains("tokenledger_refresh_rotations_total 1"))
                #expect(text.contains("tokenledger_reuse_detections_total 1"))
                #expect(text.contains(#"tokenledger_revocations_total{scope="grant"} 1"#))
                #expect(text.contains(#"tokenledger_revocations_total{scope="token"} 1"#))
                #expect(!text.contains(first))
            }
        }
    }
}
