extension ClientRegistered {
    /// Whether `presented` is one of the registered redirect URIs: the very same string (I7),
    /// or, for a registered loopback IP redirect (`http://127.0.0.1/…`, `http://[::1]/…`), the
    /// same URI with any port: a native app listens on a port the OS picks at run time
    /// (RFC 8252 §7.3). Nothing else is normalized.
    public func allowsRedirect(to presented: String) -> Bool {
        if redirectURIs.contains(presented) { return true }
        guard let presentedLoopback = Self.loopback(presented) else { return false }
        return redirectURIs.contains { registered in Self.loopback(registered).map { $0 == presentedLoopback } ?? false }
    }

    /// The host and what follows the port of an `http` URI on a loopback IP literal; nil for
    /// any other URI.
    static func loopback(_ uri: String) -> (host: String, rest: Substring)? {
        for host in ["127.0.0.1", "[::1]"] {
            let prefix = "http://" + host
            guard uri.hasPrefix(prefix) else { continue }
            var rest = uri.dropFirst(prefix.count)
            if rest.first == ":" {
                let port = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
                guard !port.isEmpty, port.count <= 5 else { return nil }
                rest = rest.dropFirst(1 + port.count)
            }
            guard rest.isEmpty || rest.first == "/" || rest.first == "?" else { return nil }
            return (host, rest)
        }
        return nil
    }
}
