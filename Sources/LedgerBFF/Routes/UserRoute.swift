import Foundation
import Hummingbird
import LedgerDomain

/// `GET /bff/user`: the signed-in user's claims (ID token `sub` and userinfo), when the session
/// ends, and the token the logout form posts; never a token of the issuer. 401 when signed out
/// or when the session just ended (a refused refresh), so the page never shows a zombie login.
struct UserRoute: Sendable {
    let bff: BFF

    func add(to router: Router<BasicRequestContext>) {
        router.get("/bff/user") { request, _ in
            await answer { () async throws(BFFError) in
                guard let (sessionID, loaded) = try await bff.session(of: request) else { return bff.signedOut() }
                let user = User(
                    sub: loaded.session.subject, claims: loaded.session.claims, sessionExpiresAt: loaded.session.expiresAt,
                    logoutCSRF: bff.keys.logoutToken(for: sessionID)
                )
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let body = (try? encoder.encode(user)) ?? Data("{}".utf8)
                return Response(
                    status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                    body: .init(byteBuffer: ByteBuffer(bytes: body))
                )
            }
        }
    }

    private struct User: Encodable {
        var sub: String
        var claims: [String: JSONValue]
        var sessionExpiresAt: Int64
        var logoutCSRF: String

        enum CodingKeys: String, CodingKey {
            case sub, claims, sessionExpiresAt = "session_expires_at", logoutCSRF = "logout_csrf"
        }
    }
}
