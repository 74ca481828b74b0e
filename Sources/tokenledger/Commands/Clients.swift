import ArgumentParser
import Foundation
import LedgerDomain
import LedgerPostgres
import LedgerService

/// `tokenledger clients …`: register, list and delete OAuth clients through the same
/// ``ClientRegistration`` service as the admin API.
struct Clients: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage OAuth clients.", subcommands: [Create.self, List.self, Delete.self]
    )

    /// `tokenledger clients create`: registers a client and prints its id and secret (once).
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a client. Prints the client_id and, for confidential clients, the secret — shown only once."
        )

        @Option(help: "Human-readable client name.")
        var name: String?

        @Option(name: .customLong("redirect-uri"), help: "A redirect URI (repeatable; required for authorization_code).")
        var redirectURIs: [String] = []

        @Option(name: .customLong("post-logout-redirect-uri"), help: "A post-logout redirect URI (repeatable).")
        var postLogoutRedirectURIs: [String] = []

        @Option(name: .customLong("grant-type"), help: "authorization_code, refresh_token or client_credentials (repeatable; default authorization_code).")
        var grantTypes: [String] = []

        @Option(name: .customLong("auth-method"), help: "client_secret_basic (default), client_secret_post or none.")
        var authMethod: String?

        @Option(help: "Space-separated scope the client may request (default: openid).")
        var scope: String?

        @Option(name: .customLong("resource"), help: "A resource indicator (RFC 8707) the client may ask tokens for (repeatable).")
        var resources: [String] = []

        @Flag(name: .customLong("skip-consent"), help: "A first-party client: its users are never sent to the consent app.")
        var skipConsent = false

        @Option(name: .customLong("access-token-seconds"), help: "Access token lifetime for this client.")
        var accessTokenSeconds: Int64?

        @Option(name: .customLong("refresh-grace-seconds"), help: "Refresh rotation grace window for this client (default 0).")
        var refreshGraceSeconds: Int64?

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let (configuration, logger) = try await ledger.load("tokenledger.clients")
            let metadata = ClientMetadata(
                clientName: name, redirectURIs: redirectURIs.isEmpty ? nil : redirectURIs,
                postLogoutRedirectURIs: postLogoutRedirectURIs, grantTypes: grantTypes.isEmpty ? nil : grantTypes,
                tokenEndpointAuthMethod: authMethod, scope: scope,
                lifetimes: .init(accessToken: accessTokenSeconds, refreshGrace: refreshGraceSeconds),
                resources: resources, skipConsent: skipConsent ? true : nil
            )
            // Validate before touching the database, so a typo fails fast and changes nothing.
            do { _ = try metadata.validated() } catch {
                FileHandle.standardError.write(Data("error: \(error.code): \(error.detail)\n".utf8))
                throw ExitCode.validationFailure
            }
            let registered = try await withStores(configuration, logger: logger) { stores in
                try await ClientRegistration(stores: stores)
                    .register(metadata, by: EventMetadata(actor: "admin"))
            }
            print("client_id: \(registered.client.id)")
            if let secret = registered.secret {
                print("client_secret: \(secret)")
                print("(the secret is shown only this once; only its hash is stored)")
            }
        }
    }

    /// `tokenledger clients list`: one line per client.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List registered clients.")

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let (configuration, logger) = try await ledger.load("tokenledger.clients")
            let clients = try await withStores(configuration, logger: logger) { stores in
                try await ClientRegistration(stores: stores).all()
            }
            for client in clients {
                let r = client.registration
                print([
                    r.clientID.rawValue, client.active ? "active" : "inactive", r.tokenEndpointAuthMethod,
                    r.grantTypes.joined(separator: ","), r.clientName ?? "-",
                ].joined(separator: "\t"))
            }
        }
    }

    /// `tokenledger clients delete ID`: deactivates a client and revokes everything it holds.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete (deactivate) a client and revoke every token and grant it holds. Idempotent."
        )

        @Argument(help: "The client_id.")
        var clientID: String

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let (configuration, logger) = try await ledger.load("tokenledger.clients")
            let id = ClientID(clientID)
            let outcome = try await withStores(configuration, logger: logger) { stores in
                try await ClientRegistration(stores: stores).deactivate(id, by: EventMetadata(actor: "admin"))
            }
            print("deleted \(id)\(outcome.seq == nil ? " (already inactive)" : ""); every token it holds is revoked")
        }
    }
}
