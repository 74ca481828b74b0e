import WebEncoding
import Foundation
import LedgerDomain
import LedgerPostgres

/// Client lifecycle for the admin API and the CLI alike (one code path): registers clients
/// from validated RFC 7591 metadata, reads them back, and deactivates them.
///
/// A confidential client's secret is minted here, returned once, and stored only as its
/// SHA-256 (I6).
package struct ClientRegistration: Sendable {
    /// A newly registered client and its secret, which is never available again.
    package struct Registered: Sendable {
        /// The client as registered.
        package var client: Client
        /// The client secret in clear, for confidential clients only.
        package var secret: String?
        /// Log sequence number of `client.registered`.
        package var seq: Int64
    }

    /// What deactivating a client did.
    package struct Deactivated: Sendable {
        /// The client after deactivation.
        package var client: Client
        /// Log sequence number of `client.revoked`; nil when the client was already inactive.
        package var seq: Int64?
    }

    private let clients: ClientStore
    private let now: @Sendable () -> Instant

    /// Creates the service over the process's stores.
    package init(stores: LedgerStores, now: @escaping @Sendable () -> Instant = Instant.current) {
        clients = stores.clients
        self.now = now
    }

    /// Validates `metadata`, mints a client id (and a secret for confidential clients) and
    /// records `client.registered`, returning once it is committed.
    package func register(_ metadata: ClientMetadata, by eventMetadata: EventMetadata) async throws(ClientRegistrationError) -> Registered {
        let valid = try metadata.validated()
        for _ in 0..<4 {
            let id = ClientID(Self.mintClientID())
            let secret = valid.isConfidential ? SecretDigest.mint() : nil
            let context = DecisionContext(now: now())
            let registration = ClientRegistered(
                clientID: id, clientName: valid.clientName, redirectURIs: valid.redirectURIs,
                postLogoutRedirectURIs: valid.postLogoutRedirectURIs, grantTypes: valid.grantTypes,
                responseTypes: valid.responseTypes, tokenEndpointAuthMethod: valid.tokenEndpointAuthMethod,
                scope: valid.scope, secretHash: secret.map(SecretDigest.hash), lifetimes: valid.lifetimes,
                idTokenSignedResponseAlg: valid.idTokenSignedResponseAlg, reusePolicy: valid.reusePolicy,
                fingerprintPolicy: valid.fingerprintPolicy, resources: valid.resources,
                skipConsent: valid.skipConsent ? true : nil, at: context.now
            )
            let outcome: ClientStore.Outcome
            do {
                outcome = try await clients.execute(.register(registration), on: id, context: context, metadata: eventMetadata)
            } catch {
                throw .unavailable(error)
            }
            // A refusal means the random id was taken: mint another.
            guard outcome.decision.refusal == nil, let client = outcome.after, let receipt = outcome.receipt else { continue }
            return Registered(client: client, secret: secret, seq: receipt.firstSeq)
        }
        throw .unavailable("could not mint an unused client id")
    }

    /// A client by id, active or not.
    package func client(_ id: ClientID) async throws(ClientRegistrationError) -> Client? {
        do { return try await clients.load(id) } catch { throw .unavailable(error) }
    }

    /// Every registered client, active or not, by id.
    package func all() async throws(ClientRegistrationError) -> [Client] {
        do { return try await clients.all() } catch { throw .unavailable(error) }
    }

    /// Deletes a client: records `client.revoked` and `client.deactivated` (once). The client can
    /// no longer authenticate, and the revocation's watermark covers every token it holds, so
    /// nothing is appended per grant. Idempotent: a second call appends nothing.
    package func deactivate(_ id: ClientID, by eventMetadata: EventMetadata) async throws(ClientRegistrationError) -> Deactivated {
        guard let client = try await client(id) else { throw .notFound("no client with this client_id") }
        let context = DecisionContext(now: now(), lifetimes: client.registration.lifetimes)
        let expireBy = context.now.adding(context.lifetimes.longestToken)
        do {
            let outcome = try await clients.execute(
                .deactivate(reason: .clientDeactivated, tokensExpireBy: expireBy), on: id, context: context, metadata: eventMetadata
            )
            return Deactivated(client: outcome.after ?? client, seq: outcome.receipt?.firstSeq)
        } catch {
            throw .unavailable(error)
        }
    }

    /// A new client id: 128 random bits, base64url (22 characters).
    static func mintClientID() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URLEncoded
    }
}
