import ArgumentParser

/// The `tokenledger` command line: the composition root of the service.
@main
struct TokenLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenledger",
        abstract: "OAuth 2.0 / OpenID Connect token service on an append-only PostgreSQL event log.",
        subcommands: [Serve.self, Migrate.self, Rebuild.self, Audit.self, Export.self, Users.self, Clients.self, Keys.self, BFFCommand.self]
    )
}
