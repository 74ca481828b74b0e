import AsyncHTTPClient
import Foundation
import JWTKit
import LedgerDomain
import NIOCore

/// Reads the catch-up feed (`GET /revocations?after=SEQ`) with an access token of scope
/// `revocations:read`, obtained with client credentials (client_secret_basic) for the issuer as
/// its resource (RFC 8707: the feed checks `aud`), and reused until shortly before it expires or
/// the feed refuses it.
public actor RevocationFeedClient {
    /// One answer of the feed.
    public struct Page: Sendable, Decodable {
        /// The log position the items are complete up to.
        public var head: Int64
        /// The signed messages (compact JWS, not yet verified) of the revocations after the
        /// requested seq that can still matter, in seq order.
        public var items: [String]
    }

    private let feedURL: String
    private let tokenURL: String
    private let authorization: String
    private let tokenRequest: String
    private let http: HTTPClient
    private var accessToken: (value: String, refreshAt: ContinuousClock.Instant)?

    /// Creates a client of the feed at `feedURL` that authenticates at `tokenURL` as `clientID`
    /// and asks for tokens for `resource` (the issuer; nil asks for the default audience).
    public init(
        feedURL: String, tokenURL: String, clientID: String, clientSecret: String, resource: String? = nil, http: HTTPClient = .shared
    ) {
        self.feedURL = feedURL
        self.tokenURL = tokenURL
        authorization = "Basic " + Data("\(Self.formEncode(clientID)):\(Self.formEncode(clientSecret))".utf8).base64EncodedString()
        tokenRequest = "grant_type=client_credentials&scope=revocations%3Aread" + (resource.map { "&resource=" + Self.formEncode($0) } ?? "")
        self.http = http
    }

    /// Every revocation after `seq` that can still matter, following the feed's pages: a full
    /// page's `head` is its last item's seq and more may follow, so the next is asked `after=head`.
    public func page(after seq: Int64) async throws(GuardError) -> Page {
        var result = try await onePage(after: seq)
        var last = result
        while let item = last.items.last, Self.claimedSeq(of: item) == last.head {
            last = try await onePage(after: last.head)
            result.items += last.items
            result.head = last.head
        }
        return result
    }

    /// The `seq` an item claims, read without verifying it: only to follow the pages.
    private static func claimedSeq(of item: String) -> Int64? {
        struct Claims: JWTPayload {
            var seq: Int64
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        return try? DefaultJWTParser().parse(Array(item.utf8), as: Claims.self).payload.seq
    }

    private func onePage(after seq: Int64) async throws(GuardError) -> Page {
        for attempt in 0..<2 {
            let token = try await currentToken()
            var request = HTTPClientRequest(url: "\(feedURL)?after=\(seq)")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let (status, body) = try await execute(request)
            if status == 401, attempt == 0 {
                accessToken = nil
                continue
            }
            guard status == 200 else { throw GuardError(.feedUnavailable, "revocation feed answered \(status)") }
            do {
                return try JSONDecoder().decode(Page.self, from: body)
            } catch {
                throw GuardError(.feedUnavailable, "revocation feed answer is not a page of messages")
            }
        }
        throw GuardError(.feedUnavailable, "revocation feed refused a fresh access token")
    }

    private func currentToken() async throws(GuardError) -> String {
        if let accessToken, ContinuousClock.now < accessToken.refreshAt { return accessToken.value }
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: tokenRequest))
        let (status, body) = try await execute(request)
        struct TokenResponse: Decodable {
            var access_token: String
            var expires_in: Int?
        }
        guard status == 200, let response = try? JSONDecoder().decode(TokenResponse.self, from: body) else {
            throw GuardError(.feedUnavailable, "token endpoint answered \(status) to client_credentials")
        }
        // Renew at half the lifetime, so a token never expires between fetch and use.
        let lifetime = Duration.seconds(max(response.expires_in ?? 60, 2))
        accessToken = (response.access_token, .now + lifetime / 2)
        return response.access_token
    }

    private func execute(_ request: HTTPClientRequest) async throws(GuardError) -> (Int, Data) {
        do {
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), Data(buffer: body))
        } catch {
            throw GuardError(.feedUnavailable, "\(request.url.prefix(while: { $0 != "?" })) unreachable: \(type(of: error))")
        }
    }

    /// client_secret_basic encodes id and secret with the form encoding first (RFC 6749 §2.3.1).
    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
