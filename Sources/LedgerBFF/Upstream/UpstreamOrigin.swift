import Foundation

/// Where an upstream API lives: scheme, host and port (one connection pool each), and the path
/// its calls go under.
struct UpstreamOrigin: Sendable, Hashable, CustomStringConvertible {
    /// `https`: connections are TLS, with the system's trust roots and the host's name checked.
    let tls: Bool
    let host: String
    let port: Int
    /// The base URL's percent-encoded path without a trailing `/` (empty for the root).
    let basePath: String
    /// The `Host` header: the host, and the port unless it is the scheme's default (set once:
    /// every proxied call sends it).
    let authority: String

    /// The origin of an `http` or `https` URL without user, query or fragment; nil otherwise.
    init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil, components.query == nil,
            components.fragment == nil
        else { return nil }
        tls = scheme == "https"
        self.host = host
        port = components.port ?? (tls ? 443 : 80)
        let path = components.percentEncodedPath
        basePath = path.hasSuffix("/") ? String(path.dropLast()) : path
        let name = host.contains(":") ? "[\(host)]" : host
        authority = port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    var description: String { (tls ? "https://" : "http://") + authority }
}
