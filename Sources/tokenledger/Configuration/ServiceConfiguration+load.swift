import Configuration
import Foundation
import SystemPackage

extension ServiceConfiguration {
    /// Reads the configuration: environment variables `TOKENLEDGER_*` override the JSON file
    /// named by `TOKENLEDGER_CONFIG` (default `Config/tokenledger.json` when present), which
    /// overrides the defaults.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> Self {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific(["TOKENLEDGER_ADMIN_TOKEN", "TOKENLEDGER_KEY_SECRET", "TOKENLEDGER_DATABASE_URL"])
            ).prefixKeys(with: "tokenledger")
        ]
        let path = environment["TOKENLEDGER_CONFIG"] ?? "Config/tokenledger.json"
        if environment["TOKENLEDGER_CONFIG"] != nil || FileManager.default.fileExists(atPath: path) {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
        }
        let reader = ConfigReader(providers: providers)
        var c = ServiceConfiguration()
        c.issuer = reader.string(forKey: "issuer", default: c.issuer)
        c.databaseURL = reader.string(forKey: "database.url", isSecret: true, default: c.databaseURL)
        c.redisURL = reader.string(forKey: "redis.url", default: c.redisURL)
        c.redisChannel = reader.string(forKey: "redis.channel", default: c.redisChannel)
        c.publicHost = reader.string(forKey: "public.host", default: c.publicHost)
        c.publicPort = reader.int(forKey: "public.port", default: c.publicPort)
        c.adminHost = reader.string(forKey: "admin.host", default: c.adminHost)
        c.adminPort = reader.int(forKey: "admin.port", default: c.adminPort)
        c.adminToken = reader.string(forKey: "admin.token", isSecret: true)
        c.usersFile = reader.string(forKey: "users.file")
        c.keySecret = reader.string(forKey: "key.secret", isSecret: true)
        c.signingAlgorithm = reader.string(forKey: "keys.algorithm", default: c.signingAlgorithm)
        c.keyPublishLeadSeconds = reader.int(forKey: "keys.publish_lead_seconds", default: c.keyPublishLeadSeconds)
        c.sessionsMaxPerSubject = reader.int(forKey: "sessions.max_per_subject")
        c.sessionsIdleSeconds = reader.int(forKey: "sessions.idle_seconds", default: c.sessionsIdleSeconds)
        c.sessionsAbsoluteSeconds = reader.int(forKey: "sessions.absolute_seconds", default: c.sessionsAbsoluteSeconds)
        c.trustedProxyHeader = reader.string(forKey: "trusted_proxy.header")
        c.defaultAudience = reader.string(forKey: "default_audience")
        c.loginURL = reader.string(forKey: "login.url")
        c.sweepIntervalSeconds = reader.int(forKey: "sweep.interval_seconds", default: c.sweepIntervalSeconds)
        c.consentURL = reader.string(forKey: "consent.url")
        c.rateLimitClientPerSecond = reader.double(forKey: "rate_limit.client_per_second", default: c.rateLimitClientPerSecond)
        c.rateLimitClientBurst = reader.int(forKey: "rate_limit.client_burst")
        c.logLevel = reader.string(forKey: "log.level", default: c.logLevel)
        return c
    }
}
