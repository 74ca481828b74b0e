import ArgumentParser
import Foundation
import Hummingbird
import LedgerBFF
import ServiceLifecycle

/// `tokenledger bff`: runs the Backend-for-Frontend (docs/bff.md) on 127.0.0.1 until SIGTERM/SIGINT.
struct BFFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bff", abstract: "Run the Backend-for-Frontend: browsers hold a cookie, never a token."
    )

    @OptionGroup var ledger: LedgerOptions

    func run() async throws {
        var environment = ProcessInfo.processInfo.environment
        if let file = ledger.configFile { environment["TOKENLEDGER_CONFIG"] = file }
        let (_, logger) = try await ledger.load("tokenledger.bff")
        let configuration = try await BFFConfiguration.load(environment: environment)
        let bff = try BFF(configuration: configuration, logger: logger)
        let app = Application(
            router: bff.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "tokenledger-bff"),
            services: bff.services, logger: logger
        )
        logger.info("tokenledger bff starting", metadata: [
            "issuer": "\(configuration.issuer)", "listen": "\(configuration.host):\(configuration.port)",
            "public": "\(configuration.publicURL)", "upstreams": "\(configuration.upstreams.keys.sorted())",
        ])
        try await app.runService()
    }
}
