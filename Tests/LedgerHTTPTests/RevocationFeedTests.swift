import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import LedgerDomain
import LedgerHTTP
import LedgerTesting
import Testing

@Suite("GET /revocations (catch-up feed)")
struct RevocationFeedTests {
    /// A client_credentials access token for a client registered with `scope`.
    private func token(_ h: HTTPHarness, scope: String) async throws -> String {
        let client = try await TokenFixtures.register(h, grantTypes: ["client_credentials"], scope: scope)
        let response = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials", "scope": scope], as: client)
        #expect(response.status == .ok)
        return try #require(response.json["access_token"] as? String)
    }

    private func feed(_ h: HTTPHarness, _ query: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await h.publicClient.executeRequest(uri: "/revocations\(query)", method: .get, headers: headers, body: nil)
    }

    /// The feed's items as compact strings.
    private func compacts(_ response: TestResponse) throws -> [String] {
        struct Feed: Decodable {
            var head: Int64
            var items: [String]
        }
        return try JSONDecoder().decode(Feed.self, from: Data(buffer: response.body)).items
    }

    /// The feed's items, each verified with the service's keys and decoded.
    private func items(_ response: TestResponse, _ h: HTTPHarness) async throws -> [RedisChannelRecorder.Recorded] {
        var decoded: [RedisChannelRecorder.Recorded] = []
        for compact in try compacts(response) {
            _ = try await h.services.keys.verify(compact, as: AnyClaims.self)
            let item = try #require(RedisChannelRecorder.Recorded(compact: compact, at: 0))
            #expect(item.header["typ"] == .string("secevent+jwt"))
            #expect(item.claims.iss == h.services.issuer)
            decoded.append(item)
        }
        return decoded
    }

    /// Any payload: only the signature is checked.
    private struct AnyClaims: JWTPayload {
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    @Test("RFC 6750: no token 401 with a bare challenge, a bad or revoked token 401 invalid_token, another scope 403")
    func refusals() async throws {
        try await HTTPHarness.with { h in
            let missing = try await feed(h, "?after=0", token: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate] == #"Bearer realm="tokenledger""#)
            let basic = try await h.publicClient.executeRequest(
                uri: "/revocations?after=0", method: .get, headers: [.authorization: "Basic cnM6c2VjcmV0"], body: nil
            )
            #expect(basic.status == .unauthorized)
            #expect(basic.headers[.wwwAuthenticate] == #"Bearer realm="tokenledger""#)

            let forged = try await feed(h, "?after=0", token: "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
            #expect(forged.status == .unauthorized)
            #expect(forged.headers[.wwwAuthenticate] == #"Bearer realm="tokenledger", error="invalid_token""#)

            let apiToken = try await token(h, scope: "api:read")
            let underScoped = try await feed(h, "?after=0", token: apiToken)
            #expect(underScoped.status == .forbidden)
            #expect(underScoped.oauthErrorCode == "insufficient_scope")
            #expect(underScoped.headers[.wwwAuthenticate] == #"Bearer realm="tokenledger", error="insufficient_scope", scope="revocations:read""#)

            let feedToken = try await token(h, scope: "revocations:read")
            #expect(try await feed(h, "?after=0", token: feedToken).status == .ok)
            let client = try await TokenFixtures.register(h, grantTypes: ["client_credentials"], scope: "revocations:read")
            let issued = try await TokenFixtures.post(h, "/token", ["grant_type": "client_credentials"], as: client)
            let revokedToken = try #require(issued.json["access_token"] as? String)
            #expect(try await TokenFixtures.post(h, "/revoke", ["token": revokedToken], as: client).status == .ok)
            let revoked = try await feed(h, "?after=0", token: revokedToken)
            #expect(revoked.status == .unauthorized)
            #expect(revoked.oauthErrorCode == "invalid_token")
        }
    }

    @Test("a malformed after is 400 invalid_request", arguments: ["?after=abc", "?after=-1", "?after=1&after=2", "?after=1.5"])
    func badAfter(_ query: String) async throws {
        try await HTTPHarness.with { h in
            let response = try await feed(h, query, token: try await token(h, scope: "revocations:read"))
            #expect(response.status == .badRequest)
            #expect(response.oauthErrorCode == "invalid_request")
        }
    }

    @Test("answers the signed revocations after `after` that can still matter (until + 15 s skew), in seq order, with the log head")
    func liveItemsAfterSeq() async throws {
        let clock = TokenFixtures.Clock()
        try await HTTPHarness.with(now: clock.now) { h in
            let writer = h.services.writer
            let now = clock.now()
            let first = try await RevocationFixtures.append(RevocationFixtures.event(.grant, until: now.adding(.seconds(300)), at: now), to: writer)
            let expired = try await RevocationFixtures.append(RevocationFixtures.event(.token, until: now.adding(.seconds(-1)), at: now), to: writer)
            let subject = RevocationFixtures.event(.subject, until: now.adding(.seconds(3600)), at: now)
            let third = try await RevocationFixtures.append(subject, to: writer)
            let fourth = try await RevocationFixtures.append(RevocationFixtures.event(.session, until: now.adding(.seconds(3600)), at: now), to: writer)
            #expect(expired > first)

            let all = try await feed(h, "", token: try await token(h, scope: "revocations:read"))
            #expect(all.status == .ok)
            #expect(all.headers[.cacheControl] == "no-store")
            let head = try await h.ledger.admin.query("SELECT seq FROM ledger_head").collect().first?.decode(Int64.self)
            #expect(all.json["head"] as? Int == head.map(Int.init))
            // The expired one is still listed: validators may accept its token for up to 15 s more.
            let listed = try await items(all, h)
            #expect(listed.map(\.seq) == [first, expired, third, fourth])
            #expect(listed.map(\.claims.prevSeq) == [0, first, expired, third])
            let subjectMessage = try #require(listed.first { $0.seq == third }?.revoked)
            #expect(subjectMessage.scope == .subject)
            #expect(subjectMessage.sub == (subject.ledgerEvent.subjectRevoked?.subject.rawValue))
            #expect(subjectMessage.notBefore == now.adding(.milliseconds(999)).seconds)
            #expect(subjectMessage.until == now.adding(.seconds(3600)).adding(.milliseconds(999)).seconds)
            #expect(subjectMessage.reason == "admin")
            let subjectID = try #require(listed.first { $0.seq == third }?.claims.subID)
            #expect(subjectID == .issuerSubject(iss: h.services.issuer, sub: subjectMessage.sub ?? ""))

            let afterFirst = try await feed(h, "?after=\(first)", token: try await token(h, scope: "revocations:read"))
            // Signed once: every answer hands out the same strings.
            #expect(try compacts(afterFirst) == Array(try compacts(all).dropFirst()))

            clock.advance(.seconds(15))
            let pastSkew = try await feed(h, "?after=0", token: try await token(h, scope: "revocations:read"))
            #expect(try await items(pastSkew, h).map(\.seq) == [first, third, fourth])

            clock.advance(.seconds(301))
            let later = try await feed(h, "?after=0", token: try await token(h, scope: "revocations:read"))
            #expect(try await items(later, h).map(\.seq) == [third, fourth])
        }
    }
}

extension LedgerEvent {
    fileprivate var subjectRevoked: SubjectRevoked? {
        if case .subject(.revoked(let event)) = self { event } else { nil }
    }
}
