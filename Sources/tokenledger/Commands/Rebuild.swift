import ArgumentParser
import LedgerDomain
import LedgerPostgres

/// `tokenledger rebuild`: rebuilds every projection from the event log.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild all projections from the event log.")

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        let (configuration, logger) = try await ledger.load("tokenledger.rebuild")
        let summary = try await withDatabase(configuration, logger: logger) { client in
            // The live rows as of now: what the running service's sweeper keeps (docs/storage.md).
            try await ProjectionRebuilder(client: client, logger: logger).rebuild(at: Instant.current())
        }
        print("rebuilt projections from \(summary.events) events (\(summary.aggregates) aggregates)")
    }
}
