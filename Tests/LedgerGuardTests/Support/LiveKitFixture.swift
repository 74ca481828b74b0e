import AsyncHTTPClient
import Foundation
import LedgerGuard
import LedgerTesting
import Logging
import NIOCore

/// The whole path in one process: the service's listeners over a fresh database, the relay
/// publishing the log to the test Redis on a channel of its own, and a kit subscribed to it
/// that reads JWKS, tokens and the feed over real HTTP.
struct LiveKitFixture: Sendable {
    let stack: LiveStack
    let kit: LedgerGuard

    static func with(_ body: @Sendable (LiveKitFixture) async throws -> Void) async throws {
        let logger = {
            var logger = Logger(label: "test.guard.live")
            logger.logLevel = .critical
            return logger
        }()
        try await TestDatabase.withLedger { ledger in
            try await LiveStack.with(ledger, logger: logger) { stack in
                let channel = "test:guard:\(UUID().uuidString)"
                let relay = try stack.relay(channel: channel, logger: logger)
                let client = try await register(stack, scope: "revocations:read")
                let kit = try LedgerGuard(
                    configuration: stack.guardConfiguration(clientID: client.id, clientSecret: client.secret, channel: channel), logger: logger
                )
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await relay.run() }
                    group.addTask { try await kit.run() }
                    defer { group.cancelAll() }
                    try await body(LiveKitFixture(stack: stack, kit: kit))
                }
            }
        }
    }

    /// A confidential client with the client_credentials grant.
    struct Client: Sendable {
        let id: String
        let secret: String
    }

    static func register(_ stack: LiveStack, scope: String = "openid") async throws -> Client {
        let body = #"{"client_name":"rs","grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic","scope":"\#(scope)"}"#
        let json = try await call(stack.adminURL + "/admin/clients", body: body, authorization: "Bearer \(LiveStack.adminToken)", form: false)
        guard let id = json["client_id"] as? String, let secret = json["client_secret"] as? String else {
            throw FixtureError("client registration answered no credentials")
        }
        return Client(id: id, secret: secret)
    }

    func register() async throws -> Client { try await Self.register(stack) }

    /// An access token for `client` (client_credentials).
    func token(_ client: Client) async throws -> String {
        let basic = "Basic " + Data("\(client.id):\(client.secret)".utf8).base64EncodedString()
        let json = try await Self.call(stack.publicURL + "/token", body: "grant_type=client_credentials", authorization: basic, form: true)
        guard let token = json["access_token"] as? String else { throw FixtureError("no access token issued") }
        return token
    }

    /// `POST /admin/revocations` with `json`; throws unless 200.
    func revoke(_ json: String) async throws {
        _ = try await Self.call(stack.adminURL + "/admin/revocations", body: json, authorization: "Bearer \(LiveStack.adminToken)", form: false)
    }

    /// The code the kit refuses `token` with, or nil.
    func refusal(_ token: String) async -> GuardError.Code? {
        await kit.validator.refusal(token)
    }

    private static func call(_ url: String, body: String, authorization: String, form: Bool) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: form ? "application/x-www-form-urlencoded" : "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else { throw FixtureError("\(url) answered \(response.status.code)") }
        return (try JSONSerialization.jsonObject(with: Data(buffer: data)) as? [String: Any]) ?? [:]
    }
}

/// The live fixture could not do its setup.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
