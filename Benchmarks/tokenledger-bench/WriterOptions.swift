import ArgumentParser
import LedgerPostgres

/// The writer's tuning, as the `writer` and `http` benchmarks accept it.
struct WriterOptions: ParsableArguments {
    @Option(help: "The writer's gather window in microseconds (0: never wait for answered callers to return).")
    var gatherWindowMicroseconds: Int?

    /// The writer's configuration, with the gather window if one was given.
    var configuration: EventWriter.Configuration {
        var configuration = EventWriter.Configuration()
        if let gatherWindowMicroseconds { configuration.gatherWindow = .microseconds(gatherWindowMicroseconds) }
        return configuration
    }
}
