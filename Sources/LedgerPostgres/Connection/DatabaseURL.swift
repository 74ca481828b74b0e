import Foundation
import NIOSSL
import PostgresNIO

/// Parses `postgres://user[:password]@host[:port]/database[?sslmode=…]` into a client
/// configuration. `sslmode` means what it means to libpq: `disable`; `allow` and `prefer` (TLS
/// when the server offers it, certificate unchecked); `require` (TLS, certificate unchecked);
/// `verify-ca` (the chain checked against the system's roots); `verify-full` (the chain and the
/// host name). Anything else is refused. The password never appears in errors or descriptions.
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
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(Self.tls(verifying: .none))
        case "require": tls = .require(Self.tls(verifying: .none))
        case "verify-ca": tls = .require(Self.tls(verifying: .noHostnameVerification))
        case "verify-full": tls = .require(Self.tls(verifying: .fullVerification))
        default:
            throw LedgerStoreError(.unavailable, "sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
            database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = 40
        self.configuration = configuration
        self.redacted = "postgres://\(url.user ?? "postgres")@\(host):\(url.port ?? 5432)/\(database)"
    }

    private static func tls(verifying verification: CertificateVerification) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = verification
        return configuration
    }

    /// The URL without its password.
    package var description: String { redacted }
}
