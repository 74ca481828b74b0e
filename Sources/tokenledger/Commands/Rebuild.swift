import ArgumentParser
import LedgerPostgres

/// `tokenledger rebuild`: rebuilds every projection from the event log.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild all projections from the event log.")

    func run() async throws {
        let configuration = try await ServiceConfiguration.load()
        let logger = makeLogger("tokenledger.rebuild", configuration)
        let summary = try await withDatabase(configuration, logger: logger) { client in
            try await ProjectionRebuilder(client: client, logger: logger).rebuild()
        }
        print("rebuilt projections from \(summary.events) events (\(summary.aggregates) aggregates)")
    }
}
