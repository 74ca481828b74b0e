import LedgerDomain
import Metrics

/// The token endpoints' Prometheus counters. Labels carry only grant types and revocation
/// scopes, never a token, code, secret or identifier (I6). Counters are looked up per use, so
/// they bind to whatever metrics backend the composition root bootstrapped.
package enum TokenMetrics {
    /// One access token answered to a client, by grant type.
    package static func issued(grantType: String) {
        Counter(label: "tokenledger_tokens_issued_total", dimensions: [("grant_type", grantType)]).increment()
    }

    /// Counts what a committed grant decision did: rotations, reuse detections, revocations.
    package static func record(_ events: [GrantEvent]) {
        for event in events {
            switch event {
            case .refreshTokenRotated:
                Counter(label: "tokenledger_refresh_rotations_total").increment()
            case .reuseDetected:
                Counter(label: "tokenledger_reuse_detections_total").increment()
            case .revoked:
                revoked(scope: "grant")
            case .accessTokenRevoked:
                revoked(scope: "token")
            default:
                break
            }
        }
    }

    private static func revoked(scope: String) {
        Counter(label: "tokenledger_revocations_total", dimensions: [("scope", scope)]).increment()
    }
}
