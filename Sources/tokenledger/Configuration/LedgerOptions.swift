import ArgumentParser
import Foundation
import Logging

/// The options of every command that reaches the ledger: where the configuration comes from.
/// The database URL, key secret and the rest are read from it (`TOKENLEDGER_*` variables over
/// the JSON file), never from the command line, so no secret shows up in a process listing.
struct LedgerOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "JSON configuration file (default: $TOKENLEDGER_CONFIG, else Config/tokenledger.json when present).")
    var configFile: String?

    /// The configuration, and a logger labelled `label` at its level.
    func load(_ label: String) async throws -> (ServiceConfiguration, Logger) {
        var environment = ProcessInfo.processInfo.environment
        if let configFile { environment["TOKENLEDGER_CONFIG"] = configFile }
        let configuration = try await ServiceConfiguration.load(environment: environment)
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
        return (configuration, logger)
    }
}
