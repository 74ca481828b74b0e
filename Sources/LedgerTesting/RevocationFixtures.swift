import Foundation
import LedgerDomain
import LedgerPostgres

/// Appends revocation events straight to the log, one fresh stream each, as the services
/// would, for the relay and feed tests.
package enum RevocationFixtures {
    /// One revocation event of `scope` recorded at `at`, in force until `until`.
    package static func event(_ scope: Revocation.Scope, until: Instant, at: Instant = Instant.current()) -> any DomainEvent {
        let id = UUID().uuidString.lowercased()
        return switch scope {
        case .token:
            GrantEvent.accessTokenRevoked(.init(grantID: GrantID(id), jti: TokenID("jti-\(id)"), reason: .holderRequest, at: at, until: until))
        case .grant: GrantEvent.revoked(.init(grantID: GrantID(id), reason: .reuseDetected, at: at, until: until))
        case .session:
            SessionEvent.revoked(.init(sessionID: SessionID("sid-\(id)"), subject: Subject("alice"), reason: .logout, at: at, until: until))
        case .subject: SubjectEvent.revoked(.init(subject: Subject("sub-\(id)"), reason: .admin, notBefore: at, until: until))
        case .client:
            ClientEvent.revoked(.init(clientID: ClientID("client-\(id)"), reason: .clientDeactivated, notBefore: at, until: until))
        }
    }

    /// Appends `event` to its own new stream and returns its seq.
    @discardableResult
    package static func append(_ event: any DomainEvent, to writer: EventWriter) async throws -> Int64 {
        let receipt = try await writer.append(
            PendingAppend(stream: event.streamID, expectedVersion: 0, events: [try NewEvent(event, metadata: EventMetadata(actor: "test"))])
        )
        return receipt.firstSeq
    }

    /// Appends one revocation of `scope` that stays in force for ten minutes.
    @discardableResult
    package static func append(_ scope: Revocation.Scope, to writer: EventWriter) async throws -> Int64 {
        try await append(event(scope, until: Instant.current().adding(.seconds(600))), to: writer)
    }
}
