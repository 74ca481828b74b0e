import Foundation
import LedgerDomain
import LedgerGuard
import Logging
import Testing

/// A validator over a ``FakeIssuer`` with a revocation state that is in sync (as after a
/// catch-up with nothing revoked), unless a test changes it.
struct ValidatorFixture: Sendable {
    let server: FakeIssuer
    let signer: TestSigner
    let validator: AccessTokenValidator

    static func with(
        skew: Duration = .seconds(5), stalenessBound: Duration = .seconds(3600), refetchInterval: Duration = .seconds(3600),
        _ body: @Sendable (ValidatorFixture) async throws -> Void
    ) async throws {
        let signer = try await TestSigner()
        try await FakeIssuer.with([signer.jwk]) { server in
            var logger = Logger(label: "test.guard")
            logger.logLevel = .error
            let state = RevocationState(stalenessBound: stalenessBound)
            state.update { $0.caughtUp(items: [], head: 0, at: Instant.current().milliseconds) }
            let validator = AccessTokenValidator(
                rules: AccessTokenRules(issuer: TestSigner.issuer, audience: TestSigner.audience, clockSkew: skew),
                jwks: JWKSCache(url: server.jwksURL, minimumRefetchInterval: refetchInterval, logger: logger), revocations: state
            )
            try await body(ValidatorFixture(server: server, signer: signer, validator: validator))
        }
    }

    /// Expects `validate` to refuse `token` with `code`, or to accept it when `code` is nil.
    func expect(
        _ token: String, refusedAs code: GuardError.Code?, now: Date = Date(), _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async {
        let refusal = await refusal(token, now: now)
        #expect(refusal == code, comment, sourceLocation: sourceLocation)
    }

    /// The code of the error `validate` throws, or nil when it accepts.
    func refusal(_ token: String, now: Date = Date()) async -> GuardError.Code? {
        await validator.refusal(token, now: now)
    }
}
