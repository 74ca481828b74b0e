import ArgumentParser

/// `tokenledger-bench`: load drivers for the figures quoted in issues and the README.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenledger-bench",
        abstract: "TokenLedger benchmarks (run against the throwaway services of Scripts/services.sh).",
        subcommands: [WriterBench.self, HTTPBench.self, EncodingBench.self, ExportBench.self, GuardValidateBench.self, GuardPropagationBench.self, BFFBench.self, CascadeBench.self, StorageBench.self],
        defaultSubcommand: WriterBench.self
    )
}
