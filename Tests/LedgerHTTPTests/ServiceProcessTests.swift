import Crypto
import Foundation
import HTTPTypes
import LedgerHTTP
import LedgerPostgres
import LedgerTesting
import Logging
import PostgresNIO
import Synchronization
import Testing
import LedgerService

/// Tests against the real `tokenledger serve` process.
@Suite("tokenledger serve as a process", .serialized)
struct ServiceProcessTests {
    @Test(
        "serve refuses to start with a missing, short or repetitive key secret, or a short admin token, naming the variable and never the value",
        arguments: [
            ([String: String?](), "TOKENLEDGER_KEY_SECRET is required"),
            (["TOKENLEDGER_KEY_SECRET": "short-secret-value"], "TOKENLEDGER_KEY_SECRET has 18 bytes"),
            (["TOKENLEDGER_KEY_SECRET": String(repeating: "ab", count: 20)], "TOKENLEDGER_KEY_SECRET repeats too few characters"),
            (["TOKENLEDGER_ADMIN_TOKEN": "admin-token-value"], "TOKENLEDGER_ADMIN_TOKEN has 17 bytes"),
        ]
    )
    func weakSecretsAreRefused(environment: [String: String?], message: String) async throws {
        var variables = ["TOKENLEDGER_KEY_SECRET": ServiceProcess.keySecret, "TOKENLEDGER_ADMIN_TOKEN": ServiceProcess.adminToken]
        if environment.isEmpty { variables["TOKENLEDGER_KEY_SECRET"] = nil }
        for (name, value) in environment { variables[name] = value }
        let (status, output) = try await ServiceProcess.refusal(environment: variables)
        #expect(status != 0)
        #expect(output.contains(message), "\(output)")
        for value in environment.values.compactMap({ $0 }) { #expect(!output.contains(value)) }
    }

    @Test("kill -9 under load: every token answered has its committed event, and the chain verifies")
    func killNineUnderLoad() async throws {
        try await TestDatabase.withLedger { ledger in
            let service = try await ServiceProcess.start(databaseURL: ledger.url, logLevel: "error")
            let client = try await Self.registerClient(service, body: #"{"client_name":"load","grant_types":["client_credentials"],"scope":"openid"}"#)

            let answered = Collected()
            let failures = Collected()
            let killed = Collected()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var http = service.publicClient()
                        // Until the kill, a failed request is noted and retried on a new connection.
                        while killed.values.isEmpty {
                            do {
                                let response = try await http.postForm("/token", [("grant_type", "client_credentials")], headers: [.authorization: client.basic])
                                guard response.head.status == .ok, let token = response.json["access_token"] as? String else {
                                    failures.append("status \(response.head.status.code)")
                                    continue
                                }
                                answered.append((try? Self.jti(of: token)) ?? "")
                            } catch {
                                if killed.values.isEmpty { failures.append("\(type(of: error))") }
                                try? await http.shutdown()
                                http = service.publicClient()
                                try? await Task.sleep(for: .milliseconds(10))
                            }
                        }
                        try? await http.shutdown()
                    }
                }
                // Kill mid-load: once tokens are flowing (however slow the machine), not at a fixed time.
                let deadline = ContinuousClock.now + .seconds(30)
                while answered.values.count < 30, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                service.kill()
                killed.append("killed")
                try await group.waitForAll()
            }

            let jtis = answered.values
            #expect(jtis.count >= 30, "the load produced tokens before the kill (failures before it: \(Set(failures.values)))")
            let recorded = try await ledger.admin.query(
                """
                SELECT data->>'jti' FROM events WHERE type = 'grant.access_token.issued'
                UNION ALL SELECT data->>'grant_id' FROM events WHERE type = 'grant.client_credentials'
                """
            ).collect().map { try $0.decode(String.self) }
            let missing = Set(jtis).subtracting(recorded)
            #expect(missing.isEmpty, "\(missing.count) tokens were answered without a committed event")

            let report = try await ChainVerifier(client: ledger.admin, logger: Logger(label: "test")).verify()
            guard case .intact = report else {
                Issue.record("chain after kill -9: \(report)")
                return
            }
            // The restarted service picks up where the log ends.
            let restarted = try await ServiceProcess.start(databaseURL: ledger.url, logLevel: "error")
            // Inside the whole suite a first answer may take longer than the client's 10 s read
            // timeout; what counts is that one comes.
            var status: HTTPResponse.Status?
            for _ in 0..<3 where status == nil {
                let http = restarted.publicClient()
                status = try? await http.postForm("/token", [("grant_type", "client_credentials")], headers: [.authorization: client.basic]).head.status
                try? await http.shutdown()
            }
            #expect(status == .ok)
            restarted.stop()
            guard case .intact = try await ChainVerifier(client: ledger.admin, logger: Logger(label: "test")).verify() else {
                Issue.record("chain broken after restart")
                return
            }
        }
    }

    @Test("a whole code flow, refresh, introspection and revocation leave no secret in the logs")
    func logsCarryNoSecrets() async throws {
        try await TestDatabase.withLedger { ledger in
            let password = "correct horse battery staple"
            let usersFile = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString).json")
            try Data(#"[{"username":"alice","sub":"sub-alice","password_hash":"\#(PasswordHash.make(password, cost: 10))","claims":{"name":"Alice"}}]"#.utf8)
                .write(to: usersFile)
            let service = try await ServiceProcess.start(databaseURL: ledger.url, usersFile: usersFile.path, logLevel: "trace")
            let client = try await Self.registerClient(service, body: #"{"client_name":"web","redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code","refresh_token"],"scope":"openid offline_access"}"#)
            let http = service.publicClient()
            var secrets = [client.secret, password, ServiceProcess.adminToken, ServiceProcess.keySecret]

            let verifier = SecretDigest.mint()
            let challenge = TokenFixtures.challenge(verifier)
            secrets.append(verifier)
            let query = [
                ("response_type", "code"), ("client_id", client.id), ("redirect_uri", "https://app.example/cb"),
                ("scope", "openid offline_access"), ("state", "s-123"), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            ].map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&")
            let page = try await http.send(.get, "/authorize?" + query)
            #expect(page.head.status == .ok)
            let cookie = try #require(page.head.headerFields[.setCookie]?.split(separator: ";").first.map(String.init))
            let sealed = try #require(Self.hiddenInput("request", in: page.text))
            let csrf = try #require(Self.hiddenInput("csrf", in: page.text))
            secrets += [String(cookie.split(separator: "=", maxSplits: 1).last ?? ""), sealed, csrf]

            let login = try await http.postForm(
                "/authorize", [("request", sealed), ("csrf", csrf), ("username", "alice"), ("password", password)], headers: [.cookie: cookie]
            )
            #expect(login.head.status == .seeOther)
            let location = try #require(login.head.headerFields[.location].flatMap { URLComponents(string: $0) })
            let code = try #require(location.queryItems?.first { $0.name == "code" }?.value)
            secrets.append(code)

            let tokens = try await http.postForm(
                "/token", [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "https://app.example/cb"), ("code_verifier", verifier)],
                headers: [.authorization: client.basic]
            )
            #expect(tokens.head.status == .ok)
            let access = try #require(tokens.json["access_token"] as? String)
            let refresh = try #require(tokens.json["refresh_token"] as? String)
            let rotated = try await http.postForm("/token", [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: [.authorization: client.basic])
            #expect(rotated.head.status == .ok)
            let access2 = try #require(rotated.json["access_token"] as? String)
            let refresh2 = try #require(rotated.json["refresh_token"] as? String)
            secrets += [access, refresh, access2, refresh2]
            // Presenting the spent token is reuse: its value must not be logged either.
            _ = try await http.postForm("/token", [("grant_type", "refresh_token"), ("refresh_token", refresh)], headers: [.authorization: client.basic])
            _ = try await http.postForm("/introspect", [("token", access2)], headers: [.authorization: client.basic])
            _ = try await http.postForm("/revoke", [("token", refresh2)], headers: [.authorization: client.basic])
            try await http.shutdown()
            service.stop()

            let log = try service.log()
            #expect(log.contains("/token"), "the service logged its requests")
            for secret in secrets where !secret.isEmpty {
                #expect(!log.contains(secret), "a secret (\(secret.count) characters) appears in the log")
            }
        }
    }

    @Test("TOKENLEDGER_DEFAULT_AUDIENCE is the aud of tokens asked for no resource; a malformed one refuses to start")
    func defaultAudience() async throws {
        let (status, output) = try await ServiceProcess.refusal(environment: [
            "TOKENLEDGER_KEY_SECRET": ServiceProcess.keySecret, "TOKENLEDGER_ADMIN_TOKEN": ServiceProcess.adminToken,
            "TOKENLEDGER_DEFAULT_AUDIENCE": "api.example",
        ])
        #expect(status != 0)
        #expect(output.contains("TOKENLEDGER_DEFAULT_AUDIENCE must be an absolute URI"), "\(output)")
        try await TestDatabase.withLedger { ledger in
            let service = try await ServiceProcess.start(
                databaseURL: ledger.url, logLevel: "error", environment: ["TOKENLEDGER_DEFAULT_AUDIENCE": "https://api.example"]
            )
            defer { service.stop() }
            let client = try await Self.registerClient(service, body: #"{"grant_types":["client_credentials"],"scope":"api"}"#)
            let http = service.publicClient()
            defer { Task { try? await http.shutdown() } }
            let answer = try await http.postForm("/token", [("grant_type", "client_credentials")], headers: [.authorization: client.basic])
            #expect(answer.head.status == .ok)
            let token = try #require(answer.json["access_token"] as? String)
            #expect(try TokenFixtures.jwtParts(token).claims["aud"] as? String == "https://api.example")
        }
    }

    /// A client registered through the admin API of the process.
    static func registerClient(_ service: ServiceProcess, body: String) async throws -> (id: String, secret: String, basic: String) {
        let admin = service.adminClient()
        defer { Task { try? await admin.shutdown() } }
        let response = try await admin.send(
            .post, "/admin/clients", headers: [.authorization: "Bearer \(ServiceProcess.adminToken)", .contentType: "application/json"], body: body
        )
        try #require(response.head.status == .created)
        let id = try #require(response.json["client_id"] as? String)
        let secret = try #require(response.json["client_secret"] as? String)
        return (id, secret, "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString())
    }

    /// The `jti` of a JWT, read from its payload segment.
    static func jti(of jwt: String) throws -> String {
        var segment = String(jwt.split(separator: ".")[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while segment.count % 4 != 0 { segment += "=" }
        let payload = try JSONSerialization.jsonObject(with: Data(base64Encoded: segment) ?? Data()) as? [String: Any]
        return payload?["jti"] as? String ?? ""
    }

    /// The value of a hidden input of the login page.
    static func hiddenInput(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&amp;", with: "&") }
    }
}

/// Values collected from concurrent tasks.
final class Collected: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var values: [String] { storage.withLock { $0 } }
}
