import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerPostgres
import LedgerService

/// `GET /revocations?after=SEQ`: the catch-up feed of the revocation broadcast. A resource
/// server presents an access token with scope `revocations:read` (client_credentials) and gets
/// `{"head": SEQ, "items": ["<compact JWS>", …]}`: the signed messages of the revocations after
/// `after` that can still matter (`until` plus the validators' skew is ahead), in seq order,
/// exactly as the relay publishes them. At most `pageSize` items: a full page's `head` is its
/// last item's seq, so the caller asks again with `after=head`; otherwise `head` is the log
/// head. See docs/broadcast.md.
struct RevocationFeedEndpoint: Sendable {
    /// The scope a caller's token must carry.
    static let requiredScope = "revocations:read"
    /// The most items one answer holds.
    static let pageSize = 1000

    let shared: TokenServices
    let log: RevocationLog

    init(shared: TokenServices) {
        self.shared = shared
        let services = shared.services
        log = RevocationLog(
            client: services.database, signer: KeyRingBroadcastSigner(issuer: services.issuer, keys: services.keys), logger: services.logger
        )
    }

    /// Answers one feed request.
    func handle(_ request: Request) async -> Response {
        do throws(OAuthError) {
            _ = try await shared.bearerClaims(of: request, requiring: Self.requiredScope)
            let after = try Self.after(in: request)
            let now = shared.services.now()
            let (log, limit) = (log, Self.pageSize)
            let page: RevocationLog.Page
            do {
                page = try await log.live(after: after, now: now, limit: limit)
            } catch {
                shared.services.logger.error("ledger call failed", metadata: ["what": "revocation feed", "error": "\(error)"])
                throw .temporarilyUnavailable("the token service is temporarily unavailable")
            }
            return try Self.response(page)
        } catch {
            return error.response()
        }
    }

    /// `after`: a non-negative integer, 0 when absent.
    private static func after(in request: Request) throws(OAuthError) -> Int64 {
        let values = request.uri.queryParameters.getAll("after")
        guard let text = values.first else { return 0 }
        guard values.count == 1, let after = Int64(text), after >= 0 else {
            throw BearerChallenge.invalidRequest("after must be one non-negative integer")
        }
        return after
    }

    private static func response(_ page: RevocationLog.Page) throws(OAuthError) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? encoder.encode(Feed(head: page.head, items: page.items.map(\.message))) else {
            throw .temporarilyUnavailable("the revocation feed could not be encoded")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    private struct Feed: Encodable {
        var head: Int64
        var items: [String]
    }
}
