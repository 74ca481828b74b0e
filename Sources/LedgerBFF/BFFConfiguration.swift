/// Everything the Backend-for-Frontend is configured with (docs/bff.md). The tokenledger CLI
/// reads it from `TOKENLEDGER_BFF_*` variables or the `bff` section of the configuration file.
public struct BFFConfiguration: Sendable {
    /// A resource API reachable under `/api/<name>/…`.
    public struct Upstream: Sendable, Hashable, Decodable {
        /// The base URL; `/api/<name>/<rest>` goes to `<url>/<rest>`.
        public var url: String
        /// The scope the API needs, requested at login beside the BFF's own scope.
        public var scope: String?

        /// An upstream at `url` needing `scope`.
        public init(url: String, scope: String? = nil) {
            self.url = url
            self.scope = scope
        }
    }

    /// The issuer whose discovery document names every endpoint.
    public var issuer: String
    /// The BFF's client registration (confidential, `client_secret_basic`).
    public var clientID: String
    public var clientSecret: String
    /// The BFF's own base URL: the callback is `<publicURL>/bff/callback`, the post-logout
    /// redirect `<publicURL>/`.
    public var publicURL: String
    /// The secret the cookie-MAC, Redis-key and token-sealing keys are derived from.
    public var cookieKey: String
    /// The Redis of the session store (and, by default, of the revocation broadcast).
    public var redisURL: String
    /// The prefix of every Redis key the BFF writes (several BFFs can share one Redis).
    public var redisKeyPrefix = "bff:"
    /// The Redis and channel of the signed revocation broadcast.
    public var broadcastRedisURL: String?
    public var broadcastChannel = "tokenledger:revocations"
    /// Listening port, on `host`.
    public var port = 8090
    public var host = "127.0.0.1"
    /// The scope asked for at login (the upstreams' scopes are added).
    public var scope = "openid profile email offline_access"
    /// `name` → upstream.
    public var upstreams: [String: Upstream] = [:]
    /// Plain-http loopback development only: cookies without `Secure` and the `__Host-` prefix.
    public var devInsecureCookies = false
    /// The longest a BFF session lives, refreshes or not.
    public var sessionLifetime: Duration = .seconds(24 * 3600)
    /// An access token this close to expiry is refreshed before it is used.
    public var refreshAhead: Duration = .seconds(60)

    /// A configuration with the defaults above.
    public init(issuer: String, clientID: String, clientSecret: String, publicURL: String, cookieKey: String, redisURL: String) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.cookieKey = cookieKey
        self.redisURL = redisURL
    }

    /// The redirect URI registered for the BFF client.
    public var callbackURL: String { publicURL + "/bff/callback" }
    /// The post-logout redirect URI registered for the BFF client.
    public var postLogoutURL: String { publicURL + "/" }

    /// The scope requested at login: the configured scope and every upstream's, each once.
    var loginScope: String {
        var tokens: [String] = []
        for token in ([scope] + upstreams.values.compactMap(\.scope)).flatMap({ $0.split(separator: " ").map(String.init) })
        where !tokens.contains(token) {
            tokens.append(token)
        }
        return tokens.joined(separator: " ")
    }
}
