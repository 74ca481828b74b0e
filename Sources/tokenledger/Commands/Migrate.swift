import ArgumentParser
import LedgerPostgres

/// `tokenledger migrate`: applies the numbered files of `Schema/` not yet applied.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (idempotent).")

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        let (configuration, logger) = try await ledger.load("tokenledger.migrate")
        let applied = try await withDatabase(configuration, logger: logger) { client in
            try await Migrator().migrate(client, logger: logger)
        }
        print(applied.isEmpty ? "schema up to date" : "applied: " + applied.joined(separator: ", "))
    }
}
