import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import LedgerTesting
import Logging
import PostgresNIO
import Testing
import LedgerService

/// The OpenID Connect layer in the real `tokenledger serve` process: the session limit read from
/// `TOKENLEDGER_SESSIONS_MAX_PER_SUBJECT`, and no session cookie or ID token in its logs (I6).
@Suite("OIDC: the real process")
struct OIDCServiceProcessTests {
    @Test("TOKENLEDGER_SESSIONS_MAX_PER_SUBJECT=1: a second login revokes the first session; cookies and ID tokens never reach the log")
    func sessionLimitFromEnvironment() async throws {
        try await TestDatabase.withLedger { ledger in
            let password = "looking-glass"
            let usersFile = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString).json")
            try Data(#"[{"username":"alice","sub":"sub-alice","password_hash":"\#(PasswordHash.make(password, cost: 4))"}]"#.utf8)
                .write(to: usersFile)
            let service = try await ServiceProcess.start(
                databaseURL: ledger.url, usersFile: usersFile.path, logLevel: "trace",
                environment: ["TOKENLEDGER_SESSIONS_MAX_PER_SUBJECT": "1"]
            )
            let client = try await ServiceProcessTests.registerClient(
                service, body: #"{"client_name":"web","redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code"],"scope":"openid"}"#
            )
            let http = service.publicClient()
            var secrets = [password]
            var sessionIDs: [String] = []
            for _ in 0..<2 {
                let verifier = SecretDigest.mint()
                let query = [
                    ("response_type", "code"), ("client_id", client.id), ("redirect_uri", "https://app.example/cb"), ("scope", "openid"),
                    ("state", "s"), ("nonce", "n"), ("code_challenge", TokenFixtures.challenge(verifier)), ("code_challenge_method", "S256"),
                ].map { "\($0.0)=\(formEncode($0.1))" }.joined(separator: "&")
                let page = try await http.send(.get, "/authorize?" + query)
                let csrfCookie = try #require(page.head.headerFields[.setCookie]?.split(separator: ";").first.map(String.init))
                let form = [
                    ("request", try #require(ServiceProcessTests.hiddenInput("request", in: page.text))),
                    ("csrf", try #require(ServiceProcessTests.hiddenInput("csrf", in: page.text))), ("username", "alice"), ("password", password),
                ]
                let login = try await http.postForm("/authorize", form, headers: [.cookie: csrfCookie])
                #expect(login.head.status == .seeOther)
                // Plain http issuer: no __Host- prefix, no Secure.
                let sessionCookie = try #require(login.head.headerFields[values: .setCookie].first { $0.hasPrefix("tokenledger_session=") })
                #expect(sessionCookie.contains("; HttpOnly") && sessionCookie.contains("; SameSite=Lax") && !sessionCookie.contains("Secure"))
                let value = String(sessionCookie.prefix { $0 != ";" }.dropFirst("tokenledger_session=".count))
                sessionIDs.append(String(value.prefix { $0 != "." }))
                let code = try #require(
                    login.head.headerFields[.location].flatMap { URLComponents(string: $0) }?.queryItems?.first { $0.name == "code" }?.value
                )
                let tokens = try await http.postForm(
                    "/token", [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", "https://app.example/cb"), ("code_verifier", verifier)],
                    headers: [.authorization: client.basic]
                )
                #expect(tokens.head.status == .ok)
                secrets += [value, String(value.split(separator: ".").last ?? ""), try #require(tokens.json["id_token"] as? String), code]
            }
            let admin = service.adminClient()
            let listed = try await admin.send(
                .get, "/admin/subjects/sub-alice/sessions", headers: [.authorization: "Bearer \(ServiceProcess.adminToken)"]
            )
            let sessions = (listed.json["sessions"] as? [[String: Any]] ?? []).compactMap { $0["sid"] as? String }
            #expect(sessions == [sessionIDs[1]])
            try await admin.shutdown()
            try await http.shutdown()
            service.stop()

            // The session's start records a keyed digest of the peer address (HMAC under a key from
            // TOKENLEDGER_KEY_SECRET), never the address, nor its plain SHA-256 (reversible by
            // hashing every IPv4 address).
            let rows = try await ledger.admin.query(
                "SELECT metadata->>'ip_hash' FROM events WHERE type = 'session.started' ORDER BY seq", logger: Logger(label: "oidc.process.test")
            )
            var ipHashes: [String?] = []
            for try await hash in rows.decode(String?.self) { ipHashes.append(hash) }
            let key = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: Data(ServiceProcess.keySecret.utf8)), info: Data("tokenledger fingerprints v1".utf8),
                outputByteCount: 32
            )
            let loopback = Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data("127.0.0.1".utf8), using: key)))
            let unkeyed = SHA256.hash(data: Data("127.0.0.1".utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(ipHashes == [loopback, loopback])
            #expect(!ipHashes.contains(unkeyed))

            let log = try service.log()
            #expect(log.contains("/authorize"), "the service logged its requests")
            for secret in secrets where !secret.isEmpty {
                #expect(!log.contains(secret), "a secret (\(secret.count) characters) appears in the log")
            }
        }
    }
}
