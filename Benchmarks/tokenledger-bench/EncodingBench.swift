import ArgumentParser
import Foundation
import LedgerDomain
import LedgerService
import LedgerHTTP
import LedgerPostgres

/// `tokenledger-bench encoding`: what one `client_credentials` token encodes (its two events'
/// payloads, their metadata and the access token's claims), through `JSONEncoder` with sorted
/// keys and through ``CanonicalJSONEncoder``, which must write the same bytes.
struct EncodingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoding", abstract: "Canonical JSON of one client_credentials token: JSONEncoder vs CanonicalJSONEncoder."
    )

    @Option(help: "Tokens per measurement.")
    var tokens = 50_000

    @Flag(help: "A short run for CI.")
    var smoke = false

    func run() async throws {
        let count = smoke ? 2_000 : tokens
        let values = try Self.tokenValues()
        let foundation = CanonicalJSON.referenceEncoder()
        let canonical = CanonicalJSONEncoder()
        for value in values where try Array(foundation.encode(value)) != canonical.encode(value) {
            throw ValidationError("the encoders disagree on \(type(of: value.wrapped))")
        }
        print("encoding benchmark: \(count) client_credentials tokens, \(values.count) values each")
        #if DEBUG
        print("debug build: CanonicalJSONEncoder is unoptimized here, JSONEncoder is not; only the byte check counts")
        #endif
        for round in 1...3 {
            let slow = try Self.time(count) { for value in values { _ = try foundation.encode(value) } }
            let fast = try Self.time(count) { for value in values { _ = try canonical.encode(value) } }
            print(String(format: "round %d: JSONEncoder %.2f µs/token, CanonicalJSONEncoder %.2f µs/token (%.1fx)", round, slow, fast, slow / fast))
        }
    }

    /// Microseconds per token of `body`, run `count` times.
    private static func time(_ count: Int, _ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        for _ in 0..<count { try body() }
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(count)
    }

    /// The values a `client_credentials` token encodes, from the domain's own decision.
    private static func tokenValues() throws -> [AnyEncodable] {
        let now = Instant(milliseconds: 1_800_000_000_000)
        let grant = GrantID(LedgerID.make(at: now))
        let jti = TokenID(grant.rawValue)
        let scope = Scope(["api:read", "api:write"])
        let decision = Grant.decide(
            .startWithClientCredentials(.init(grantID: grant, clientID: ClientID("svc-a"), scope: scope)), nil,
            DecisionContext(now: now)
        )
        guard decision.refusal == nil, !decision.events.isEmpty else { throw ValidationError("the decision refused") }
        let claims = AccessTokenClaims(
            issuer: "https://issuer.example", audience: ["https://api.example"], grant: grant, subject: Subject("svc-a"),
            client: ClientID("svc-a"), session: nil, scope: scope, jti: jti, issuedAt: now, expiresAt: now.adding(.seconds(600))
        )
        let metadata = EventMetadata(actor: "client:svc-a", clientID: "svc-a", requestID: LedgerID.make(at: now), ipHash: String(repeating: "q", count: 43))
        return decision.events.map { AnyEncodable(EventPayload($0)) } + [AnyEncodable(metadata), AnyEncodable(claims)]
    }
}

/// Any encodable value, encoded as itself.
private struct AnyEncodable: Encodable {
    let wrapped: any Encodable
    init(_ wrapped: any Encodable) { self.wrapped = wrapped }
    func encode(to encoder: any Encoder) throws { try wrapped.encode(to: encoder) }
}
