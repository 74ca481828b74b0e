import ArgumentParser
import LedgerPostgres

/// `tokenledger audit …`: integrity checks of the log.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit the event log.", subcommands: [Verify.self]
    )

    /// `tokenledger audit verify [--from N] [--to M]`: walks the hash chain.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain and report the first broken link. Exits 1 when broken."
        )

        @Option(help: "First sequence number to check (default: 1).")
        var from: Int64?

        @Option(help: "Last sequence number to check (default: the end of the log).")
        var to: Int64?

        func run() async throws {
            let configuration = try await ServiceConfiguration.load()
            let logger = makeLogger("tokenledger.audit", configuration)
            let (from, to) = (self.from, self.to)
            let report = try await withDatabase(configuration, logger: logger) { client in
                try await ChainVerifier(client: client, logger: logger).verify(from: from, to: to)
            }
            print(report)
            if case .broken = report { throw ExitCode(1) }
        }
    }
}
