import Foundation
import LedgerDomain
import LedgerPostgres

/// Builds grants through a real ``GrantStore``, for integration tests and benchmarks.
package enum GrantFixtures {
    /// A fresh unique hash standing in for the SHA-256 of a new secret.
    package static func freshHash() -> TokenHash {
        TokenHash(hex: UUID().uuidString.lowercased() + UUID().uuidString.lowercased())
    }

    /// Starts a code-flow grant and redeems its code, so it holds refresh generation 1.
    /// Returns the grant id and the hash of its refresh token.
    package static func activeGrant(
        in store: GrantStore, client: ClientID = ClientID("client-a"), subject: Subject = Subject("alice"),
        scope: Scope = Scope(["openid", "offline_access"]), context: DecisionContext
    ) async throws -> (grant: GrantID, refresh: TokenHash) {
        let grant = GrantID(UUID().uuidString.lowercased())
        let code = freshHash()
        let refresh = freshHash()
        let metadata = EventMetadata(actor: "test")
        _ = try await store.execute(
            .startWithCode(.init(
                grantID: grant, clientID: client, subject: subject, sessionID: nil, scope: scope, codeHash: code,
                redirectURI: "https://app.example/cb", codeChallenge: "challenge"
            )),
            on: grant, context: context, metadata: metadata
        )
        let outcome = try await store.execute(
            .redeemCode(.init(
                codeHash: code, clientID: client, redirectURI: "https://app.example/cb", verifierChallenge: "challenge",
                accessToken: TokenID(UUID().uuidString), refreshTokenHash: refresh, idToken: nil
            )),
            on: grant, context: context, metadata: metadata
        )
        precondition(outcome.decision.refusal == nil, "fixture redemption refused")
        return (grant, refresh)
    }

    /// A refresh command presenting `hash` at `generation`, proposing a fresh successor.
    package static func refresh(
        _ hash: TokenHash, generation: Int, client: ClientID = ClientID("client-a")
    ) -> GrantCommand {
        .refresh(.init(
            presentedHash: hash, presentedGeneration: generation, clientID: client, requestedScope: nil,
            successorHash: freshHash(), accessToken: TokenID(UUID().uuidString), keepsGraceAnswer: false
        ))
    }
}
