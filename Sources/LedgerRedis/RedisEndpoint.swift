import Foundation

/// Where a Redis server is: parsed from `redis://[user:password@]host[:port][/db]` (the form of
/// `TOKENLEDGER_REDIS_URL`). Connections authenticate when the URL carries a password and
/// `SELECT` the database when it is not 0. The password never appears in descriptions.
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port, 6379 unless the URL names one.
    public var port: Int
    /// Database number selected after connecting.
    public var database: Int
    /// ACL user name for `AUTH`, if any.
    public var username: String?
    /// Password for `AUTH`, if any.
    public var password: String?

    /// Creates an endpoint from its parts.
    public init(host: String, port: Int = 6379, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses a `redis://` URL.
    public init(url text: String) throws(RedisError) {
        guard let url = URLComponents(string: text), url.scheme == "redis", let host = url.host, !host.isEmpty else {
            throw RedisError(.invalidURL, "Redis URL must look like redis://host:port/db")
        }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard let database = path.isEmpty ? 0 : Int(path), database >= 0 else {
            throw RedisError(.invalidURL, "Redis URL database must be a number, as in redis://host:port/0")
        }
        let user = url.user.flatMap { $0.isEmpty ? nil : $0 }
        self.init(host: host, port: url.port ?? 6379, database: database, username: user, password: url.password)
    }

    /// The URL without its password.
    public var description: String { "redis://\(host):\(port)/\(database)" }
}
