import Foundation
import Hummingbird
import LedgerDomain
import Logging
import Synchronization

/// A stand-in issuer on an ephemeral loopback port with the endpoints the kit reads: the
/// discovery document, `GET /jwks.json` (keys changeable mid-test), `POST /token` (client credentials, Basic
/// `rs:rs-secret`) and `GET /revocations?after=` (serves the signed ``revocations`` as
/// `{"head": N, "items": ["<compact JWS>", …]}` in pages, or 503 while ``feedDown``). Requests
/// are counted.
final class FakeIssuer: Sendable {
    /// One revocation of the fake log: its seq and the signed message announcing it.
    struct LogItem: Sendable, Hashable {
        var seq: Int64
        var compact: String
    }

    struct State {
        var jwks: [String] = []
        var revocations: [LogItem] = []
        /// The log head: the seq of the newest event of any kind.
        var head: Int64 = 0
        /// The highest revocation seq handed to the channel (published or lost): what the
        /// relay's heartbeats announce. Appends outside a fixture's `revoke` count at once.
        var announced: Int64 = 0
        var feedDown = false
        /// The `issuer` the discovery document names.
        var discoveryIssuer = TestSigner.issuer
        /// Items per feed answer; a full page's head is its last item's seq, as the real feed's.
        var pageSize = 1000
        var jwksFetches = 0
        /// How long the JWKS takes to answer.
        var jwksDelay: Duration = .zero
        var feedFetches = 0
        /// The `after` of every feed page served, in order.
        var feedAfters: [Int64] = []
    }

    static let clientID = "rs"
    static let clientSecret = "rs-secret"
    static let feedToken = "feed-token"

    let state = Mutex(State())
    let baseURL: String
    var jwksURL: String { baseURL + "/jwks.json" }

    private init(baseURL: String) { self.baseURL = baseURL }

    /// Publishes exactly these JWKs (JSON texts).
    func publish(_ jwks: [String]) { state.withLock { $0.jwks = jwks } }
    /// How many times the JWKS was fetched.
    var fetchCount: Int { state.withLock(\.jwksFetches) }
    /// How many feed pages were served.
    var feedFetches: Int { state.withLock(\.feedFetches) }
    /// The `after` of every feed page served, in order.
    var feedAfters: [Int64] { state.withLock(\.feedAfters) }

    /// The seq of the newest revocation in the fake log, 0 when there is none: the `prev_seq`
    /// of the next one.
    var lastRevocationSeq: Int64 { state.withLock { $0.revocations.last?.seq ?? 0 } }

    /// Records a signed revocation in the fake log (and moves the head to it); unless
    /// `announce` is false, heartbeats announce it from now on.
    func append(seq: Int64, compact: String, announce: Bool = true) {
        state.withLock {
            $0.revocations.append(LogItem(seq: seq, compact: compact))
            $0.revocations.sort { $0.seq < $1.seq }
            $0.head = max($0.head, seq)
            if announce { $0.announced = max($0.announced, seq) }
        }
    }

    /// Heartbeats announce every revocation up to `seq` from now on.
    func announce(_ seq: Int64) { state.withLock { $0.announced = max($0.announced, seq) } }

    /// Runs `body` with an issuer publishing `jwks`.
    static func with(_ jwks: [String], _ body: @Sendable (FakeIssuer) async throws -> Void) async throws {
        let port = PortBox()
        let holder = Mutex<FakeIssuer?>(nil)
        let router = Router()
        router.get("jwks.json") { _, _ -> Response in
            guard let issuer = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            let (keys, delay) = issuer.state.withLock { state in
                state.jwksFetches += 1
                return (state.jwks.joined(separator: ","), state.jwksDelay)
            }
            if delay > .zero { try await Task.sleep(for: delay) }
            return json(#"{"keys":["# + keys + "]}")
        }
        router.get(".well-known/openid-configuration") { _, _ -> Response in
            guard let issuer = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            let named = issuer.state.withLock(\.discoveryIssuer)
            return json(#"{"issuer":"\#(named)","jwks_uri":"\#(issuer.jwksURL)"}"#)
        }
        router.post("token") { request, _ -> Response in
            let expected = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { return Response(status: .unauthorized) }
            return json(#"{"access_token":"\#(feedToken)","token_type":"Bearer","expires_in":600}"#)
        }
        router.get("revocations") { request, _ -> Response in
            guard let issuer = holder.withLock({ $0 }), request.headers[.authorization] == "Bearer \(feedToken)" else {
                return Response(status: .unauthorized)
            }
            let after = request.uri.queryParameters.get("after", as: Int64.self) ?? 0
            let page: (items: [LogItem], head: Int64)? = issuer.state.withLock { state in
                guard !state.feedDown else { return nil }
                state.feedFetches += 1
                state.feedAfters.append(after)
                let items = Array(state.revocations.filter { $0.seq > after }.prefix(state.pageSize))
                return (items, items.count == state.pageSize ? items.last!.seq : state.head)
            }
            guard let page else { return Response(status: .serviceUnavailable) }
            struct Page: Encodable {
                var head: Int64
                var items: [String]
            }
            let body = try JSONEncoder().encode(Page(head: page.head, items: page.items.map(\.compact)))
            return json(String(decoding: body, as: UTF8.self))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { port.set($0.localAddress?.port ?? 0) }, logger: Self.quietLogger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let issuer = FakeIssuer(baseURL: "http://127.0.0.1:\(try await port.value())")
            issuer.publish(jwks)
            holder.withLock { $0 = issuer }
            try await body(issuer)
            group.cancelAll()
        }
    }

    private static let quietLogger: Logger = {
        var logger = Logger(label: "test.fake-issuer")
        logger.logLevel = .critical
        return logger
    }()

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Hands a listener's port from its startup callback to the test.
final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)
    func set(_ value: Int) { port.withLock { $0 = value } }
    func value() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let value = port.withLock({ $0 }) { return value }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw CancellationError()
    }
}
