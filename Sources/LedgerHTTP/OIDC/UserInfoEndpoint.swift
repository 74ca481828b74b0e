import Foundation
import HTTPTypes
import Hummingbird
import LedgerDomain
import LedgerService

/// `GET|POST /userinfo` (OIDC Core §5.3): the claims of the signed-in user the access token
/// stands for, by the scope it carries (`openid` required; `profile`, `email`, `address`,
/// `phone` add their claims, OIDC Core §5.4). The token must be active exactly as introspection sees
/// it: unexpired, its grant not revoked, nothing on the deny-list covering its jti, grant,
/// session, subject or client. Errors are RFC 6750's.
struct UserInfoEndpoint: Sendable {
    let shared: TokenServices

    var services: LedgerServices { shared.services }

    /// Answers one userinfo request.
    func handle(_ request: Request) async -> Response {
        do throws(OAuthError) {
            // RFC 6750 §2.2: a form POST may carry the token as `access_token`.
            let isForm = request.method == .post && request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
            let form = isForm ? try await FormParameters.body(of: request) : nil
            let claims = try await shared.bearerClaims(of: request, form: form, requiring: "openid")
            let scope = Scope(parsing: claims.scope)
            let tokens = shared.tokens
            let delegated = try await shared.calling(nil) { () async throws(TokenError) in
                try await tokens.delegatedClaims(of: GrantID(claims.grantID))
            }
            if let delegated {
                var released = ClaimRelease.released(delegated.forUserinfo, scope: scope)
                released["sub"] = .string(claims.sub)
                return Self.response(released)
            }
            guard let user = services.users.user(subject: Subject(claims.sub)) else {
                throw BearerChallenge.invalidToken("the access token's user no longer exists")
            }
            return Self.response(Self.claims(of: user, scope: scope))
        } catch {
            return error.response()
        }
    }

    /// `sub` plus the user's configured claims that `scope` releases.
    static func claims(of user: LoginUser, scope: Scope) -> [String: JSONValue] {
        var released = ClaimRelease.released(user.claims, scope: scope)
        released["sub"] = .string(user.subject.rawValue)
        return released
    }

    private static func response(_ claims: [String: JSONValue]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(claims)) ?? Data("{}".utf8)
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store", HTTPField.Name("Pragma")!: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
