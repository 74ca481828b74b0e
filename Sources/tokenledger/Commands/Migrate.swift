import ArgumentParser
import LedgerPostgres

/// `tokenledger migrate`: applies the numbered files of `Schema/` not yet applied.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations (idempotent).")

    func run() async throws {
        let configuration = try await ServiceConfiguration.load()
        let logger = makeLogger("tokenledger.migrate", configuration)
        let applied = try await withDatabase(configuration, logger: logger) { client in
            try await Migrator().migrate(client, logger: logger)
        }
        print(applied.isEmpty ? "schema up to date" : "applied: " + applied.joined(separator: ", "))
    }
}
