import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerDomain
import LedgerHTTP
import Testing
import LedgerService

@Suite("Admin API: client registration")
struct AdminClientTests {
    static let confidential = #"""
        {"client_name":"Web app","redirect_uris":["https://app.example/cb"],
         "grant_types":["authorization_code","refresh_token"],"scope":"openid profile offline_access"}
        """#

    @Test("admin calls without the bearer key or with a wrong one get 401; health needs none")
    func authentication() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let before = try await AdminFixtures.head(h)
            let calls: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/admin/clients", Self.confidential), (.get, "/admin/clients", nil), (.get, "/admin/clients/x", nil),
                (.delete, "/admin/clients/x", nil), (.post, "/admin/revocations", #"{"subject":"alice"}"#),
            ]
            for (method, uri, body) in calls {
                for token in [nil, "wrong-token", HTTPHarness.adminToken + "x"] as [String?] {
                    let response = try await AdminFixtures.call(h, method, uri, json: body, token: token)
                    #expect(response.status == .unauthorized, "\(method) \(uri)")
                    #expect(response.json["error"] as? String == "unauthorized")
                }
            }
            #expect(try await AdminFixtures.head(h) == before)
            let health = try await AdminFixtures.call(h, .get, "/healthz", token: nil)
            #expect(health.status == .ok)
        }
    }

    @Test("a confidential client gets its secret once; reads never show it; only its hash is logged")
    func confidentialClient() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let response = try await AdminFixtures.call(h, .post, "/admin/clients", json: Self.confidential)
            #expect(response.status == .created)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = response.json
            let id = try #require(body["client_id"] as? String)
            let secret = try #require(body["client_secret"] as? String)
            #expect(id.count == 22 && secret.count == 43)
            #expect(body["client_secret_expires_at"] as? Int == 0)
            #expect(body["client_id_issued_at"] as? Int == Int(AdminFixtures.t0.seconds))
            #expect(body["client_name"] as? String == "Web app")
            #expect(body["redirect_uris"] as? [String] == ["https://app.example/cb"])
            #expect(body["grant_types"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(body["response_types"] as? [String] == ["code"])
            #expect(body["token_endpoint_auth_method"] as? String == "client_secret_basic")
            #expect(body["scope"] as? String == "offline_access openid profile")

            let read = try await AdminFixtures.call(h, .get, "/admin/clients/\(id)")
            #expect(read.status == .ok)
            let text = String(buffer: read.body)
            #expect(read.json["client_id"] as? String == id)
            #expect(read.json["active"] as? Bool == true)
            #expect(read.json["client_secret"] == nil)
            #expect(!text.contains(secret) && !text.contains(SecretDigest.hash(secret).hex) && !text.contains("secret_hash"))

            let list = try await AdminFixtures.call(h, .get, "/admin/clients")
            let listed = try #require(list.json["clients"] as? [[String: Any]])
            #expect(listed.compactMap { $0["client_id"] as? String } == [id])
            #expect(!String(buffer: list.body).contains(secret))

            let events = try await AdminFixtures.events(h, stream: "client/\(id)")
            #expect(events.map(\.type) == ["client.registered"])
            #expect(events[0].data["secret_hash"] as? String == SecretDigest.hash(secret).hex)
            #expect(!events[0].text.contains(secret))
            let stored = try #require(try await h.services.clients.load(ClientID(id)))
            #expect(SecretDigest.matches(secret, try #require(stored.registration.secretHash)))
        }
    }

    @Test("a public client (none) gets no secret and no hash")
    func publicClient() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let body = try await AdminFixtures.register(
                h, #"{"redirect_uris":["http://127.0.0.1:8765/cb","http://localhost/cb"],"token_endpoint_auth_method":"none"}"#
            )
            let id = try #require(body["client_id"] as? String)
            #expect(body["client_secret"] == nil)
            #expect(body["client_secret_expires_at"] == nil)
            #expect(body["token_endpoint_auth_method"] as? String == "none")
            #expect(body["grant_types"] as? [String] == ["authorization_code"])
            #expect(body["scope"] as? String == "openid")
            let events = try await AdminFixtures.events(h, stream: "client/\(id)")
            #expect(events.map(\.type) == ["client.registered"])
            #expect(events[0].data["secret_hash"] == nil || events[0].data["secret_hash"] is NSNull)
        }
    }

    @Test("per-client lifetimes are accepted and echoed")
    func lifetimes() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let body = try await AdminFixtures.register(h, #"""
                {"grant_types":["client_credentials"],"scope":"revocations:read",
                 "tokenledger_lifetimes":{"access_token_seconds":300,"refresh_grace_seconds":5}}
                """#)
            let lifetimes = try #require(body["tokenledger_lifetimes"] as? [String: Any])
            #expect(lifetimes["access_token_seconds"] as? Int == 300)
            #expect(lifetimes["refresh_grace_seconds"] as? Int == 5)
            #expect(lifetimes["id_token_seconds"] as? Int == 600)
            #expect(body["response_types"] as? [String] == [])
            let id = try #require(body["client_id"] as? String)
            let client = try #require(try await h.services.clients.load(ClientID(id)))
            #expect(client.registration.lifetimes.accessToken == .seconds(300))
            #expect(client.registration.lifetimes.refreshGrace == .seconds(5))
        }
    }

    @Test("native apps (RFC 8252): a public client registers a private-use scheme and loopback IP redirects")
    func nativeApps() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let body = try await AdminFixtures.register(h, #"""
                {"redirect_uris":["com.example.app:/oauth2redirect","http://127.0.0.1/callback","http://[::1]/callback"],
                 "token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"]}
                """#)
            #expect(body["redirect_uris"] as? [String] == ["com.example.app:/oauth2redirect", "http://127.0.0.1/callback", "http://[::1]/callback"])
        }
    }

    @Test("id_token_signed_response_alg (RS256 by default, ES256 on request) and reuse_policy (grant by default, subject): echoed and stored")
    func idTokenAlgorithm() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let standard = try await AdminFixtures.register(h, #"{"redirect_uris":["https://app.example/cb"]}"#)
            #expect(standard["id_token_signed_response_alg"] as? String == "RS256")
            #expect(standard["reuse_policy"] as? String == "grant")
            let chosen = try await AdminFixtures.register(
                h, #"{"redirect_uris":["https://app.example/cb"],"id_token_signed_response_alg":"ES256","reuse_policy":"subject"}"#
            )
            #expect(chosen["id_token_signed_response_alg"] as? String == "ES256")
            #expect(chosen["reuse_policy"] as? String == "subject")
            let id = try #require(chosen["client_id"] as? String)
            let client = try #require(try await h.services.clients.load(ClientID(id)))
            #expect(client.registration.idTokenAlgorithm == "ES256")
        }
    }

    static let invalid: [(String, String)] = [
        (#"{"redirect_uris":["https://app.example/cb"],"id_token_signed_response_alg":"HS256"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"reuse_policy":"everything"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"id_token_signed_response_alg":"none"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"id_token_signed_response_alg":"RS384"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"tokenledger_lifetimes":{"id_token_seconds":86401}}"#, "invalid_client_metadata"),
        (#"{"client_name":"no redirect"}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":[]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["https://app.example/cb#frag"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["http://app.example/cb"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["/relative/cb"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["com.example.app:/cb"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["myapp:/cb"],"token_endpoint_auth_method":"none"}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["com.example.app:"],"token_endpoint_auth_method":"none"}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["https://app.example/cb"],"post_logout_redirect_uris":["http://evil.example/"]}"#, "invalid_redirect_uri"),
        (#"{"redirect_uris":["https://app.example/cb"],"grant_types":["authorization_code","password"]}"#, "invalid_client_metadata"),
        (#"{"grant_types":["implicit"]}"#, "invalid_client_metadata"),
        (#"{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":"https://app.example/cb"}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"scope":"openid \"quoted\""}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"tokenledger_lifetimes":{"authorization_code_seconds":120}}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"tokenledger_lifetimes":{"access_token_seconds":0}}"#, "invalid_client_metadata"),
        (#"{"redirect_uris":["https://app.example/cb"],"tokenledger_lifetimes":{"access_token_seconds":3601}}"#, "invalid_client_metadata"),
        ("not json", "invalid_client_metadata"),
        ("[]", "invalid_client_metadata"),
    ]

    @Test("invalid metadata gets 400 with the RFC 7591 error code and changes nothing", arguments: invalid)
    func invalidMetadata(_ json: String, _ code: String) async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let before = try await AdminFixtures.head(h)
            let response = try await AdminFixtures.call(h, .post, "/admin/clients", json: json)
            #expect(response.status == .badRequest)
            #expect(response.json["error"] as? String == code)
            #expect((response.json["error_description"] as? String)?.isEmpty == false)
            #expect(try await AdminFixtures.head(h) == before)
        }
    }

    @Test("a registration body not sent as application/json is 415 and records nothing", arguments: [
        "application/x-www-form-urlencoded", "text/plain", "application/jsonx", nil,
    ] as [String?])
    func notJSON(contentType: String?) async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let before = try await AdminFixtures.head(h)
            var headers: HTTPFields = [.authorization: "Bearer \(HTTPHarness.adminToken)"]
            if let contentType { headers[.contentType] = contentType }
            let body = ByteBuffer(string: #"{"client_name":"x","redirect_uris":["https://app.example/cb"]}"#)
            let response = try await h.adminClient.executeRequest(uri: "/admin/clients", method: .post, headers: headers, body: body)
            #expect(response.status == .unsupportedMediaType)
            #expect(response.json["error"] as? String == "invalid_request")
            #expect(try await AdminFixtures.head(h) == before)
            // With a charset parameter it is JSON all the same.
            headers[.contentType] = "application/json; charset=utf-8"
            #expect(try await h.adminClient.executeRequest(uri: "/admin/clients", method: .post, headers: headers, body: body).status == .created)
        }
    }

    @Test("unknown client: GET and DELETE answer 404")
    func unknownClient() async throws {
        try await HTTPHarness.with(now: { AdminFixtures.t0 }) { h in
            let read = try await AdminFixtures.call(h, .get, "/admin/clients/nope")
            #expect(read.status == .notFound)
            #expect(read.json["error"] as? String == "not_found")
            let delete = try await AdminFixtures.call(h, .delete, "/admin/clients/nope")
            #expect(delete.status == .notFound)
        }
    }
}
