import ArgumentParser
import LedgerPostgres

/// `tokenledger rebuild`: rebuilds every projection from the event log.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild all projections from the event log.")

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        let (configuration, logger) = try await ledger.load("tokenledger.rebuild")
        let summary = try await withDatabase(configuration, logger: logger) { client in
            try await ProjectionRebuilder(client: client, logger: logger).rebuild()
        }
        print("rebuilt projections from \(summary.events) events (\(summary.aggregates) aggregates)")
    }
}
