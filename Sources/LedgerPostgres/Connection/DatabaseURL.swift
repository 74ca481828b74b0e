import Foundation
import PostgresNIO

/// Parses `postgres://user[:password]@host[:port]/database[?sslmode=disable|require]` into a
/// client configuration. The password never appears in errors or descriptions.
package struct DatabaseURL: Sendable, CustomStringConvertible {
    /// The client configuration the URL describes.
    package let configuration: PostgresClient.Configuration
    private let redacted: String

    /// Parses a URL.
    package init(_ text: String) throws(LedgerStoreError) {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""),
            let host = url.host, !host.isEmpty
        else {
            throw LedgerStoreError(.unavailable, "database URL must look like postgres://user@host:port/db")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let sslmode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS =
            switch sslmode {
            case "require", "verify-full": .require(.makeClientConfiguration())
            case "prefer": .prefer(.makeClientConfiguration())
            default: .disable
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = 40
        self.configuration = configuration
        self.redacted = "postgres://\(url.user ?? "postgres")@\(host):\(url.port ?? 5432)/\(database)"
    }

    /// The URL without its password.
    package var description: String { redacted }
}
