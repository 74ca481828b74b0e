import ArgumentParser
import Hummingbird
import LedgerHTTP
import LedgerPostgres
import Logging
import PostgresNIO
import ServiceLifecycle

/// `tokenledger serve`: runs the listeners and background services in one `ServiceGroup`
/// with graceful shutdown on SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the token service.")

    func run() async throws {
        let configuration = try await ServiceConfiguration.load()
        let logger = makeLogger("tokenledger", configuration)
        let databaseURL = try DatabaseURL(configuration.databaseURL)
        let database = PostgresClient(configuration: databaseURL.configuration, backgroundLogger: logger)
        let writer = EventWriter(client: database, logger: logger)

        let adminRouter = Router()
        HealthRoutes.add(to: adminRouter, database: database, logger: logger)
        let admin = Application(
            router: adminRouter,
            configuration: .init(address: .hostname(configuration.adminHost, port: configuration.adminPort), serverName: "tokenledger-admin"),
            logger: logger
        )

        // Services stop in reverse order: listeners first, then the writer drains, then the pool.
        let group = ServiceGroup(
            services: [database, writer, admin],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        logger.info("tokenledger starting", metadata: [
            "admin": "\(configuration.adminHost):\(configuration.adminPort)", "database": "\(databaseURL)",
        ])
        try await group.run()
    }
}
