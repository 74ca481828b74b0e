import ArgumentParser
import Configuration
import Foundation
import LedgerBFF
import SystemPackage

extension BFFConfiguration {
    /// Reads the BFF's configuration: `TOKENLEDGER_BFF_*` variables over the `bff` section of
    /// the JSON file named by `TOKENLEDGER_CONFIG`. Issuer, client, public URL, cookie key and
    /// Redis URL are required; `TOKENLEDGER_BFF_UPSTREAMS` is JSON
    /// (`{"name": {"url": …, "scope": …}}`).
    static func load(environment: [String: String]) async throws -> Self {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(["TOKENLEDGER_BFF_CLIENT_SECRET", "TOKENLEDGER_BFF_COOKIE_KEY", "TOKENLEDGER_BFF_REDIS_URL"])
            ).prefixKeys(with: "tokenledger")
        ]
        let path = environment["TOKENLEDGER_CONFIG"] ?? "Config/tokenledger.json"
        if environment["TOKENLEDGER_CONFIG"] != nil || FileManager.default.fileExists(atPath: path) {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
        }
        let reader = ConfigReader(providers: providers)
        func required(_ key: String, secret: Bool = false) throws -> String {
            guard let value = reader.string(forKey: ConfigKey(key), isSecret: secret), !value.isEmpty else {
                throw ValidationError("the BFF needs TOKENLEDGER_\(key.uppercased().replacingOccurrences(of: ".", with: "_"))")
            }
            return value
        }
        var c = BFFConfiguration(
            issuer: try required("bff.issuer"), clientID: try required("bff.client_id"),
            clientSecret: try required("bff.client_secret", secret: true), publicURL: try required("bff.public_url"),
            cookieKey: try required("bff.cookie_key", secret: true), redisURL: try required("bff.redis_url", secret: true)
        )
        c.port = reader.int(forKey: "bff.port", default: c.port)
        c.scope = reader.string(forKey: "bff.scope", default: c.scope)
        c.redisKeyPrefix = reader.string(forKey: "bff.redis_key_prefix", default: c.redisKeyPrefix)
        c.broadcastRedisURL = reader.string(forKey: "bff.broadcast_redis_url", isSecret: true)
        c.broadcastChannel = reader.string(forKey: "bff.broadcast_channel", default: c.broadcastChannel)
        c.devInsecureCookies = reader.string(forKey: "bff.dev_insecure_cookies") == "1"
        if let upstreams = reader.string(forKey: "bff.upstreams"), !upstreams.isEmpty {
            do {
                c.upstreams = try JSONDecoder().decode([String: Upstream].self, from: Data(upstreams.utf8))
            } catch {
                throw ValidationError("TOKENLEDGER_BFF_UPSTREAMS must be JSON {\"name\": {\"url\": …, \"scope\": …}}")
            }
        }
        if c.devInsecureCookies, !c.publicURL.hasPrefix("http://127.0.0.1"), !c.publicURL.hasPrefix("http://localhost") {
            throw ValidationError("TOKENLEDGER_BFF_DEV_INSECURE_COOKIES=1 is for a plain-http loopback public URL only")
        }
        return c
    }
}
