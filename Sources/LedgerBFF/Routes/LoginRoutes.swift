import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import LedgerDomain
import WebEncoding

/// `GET /bff/login?returnTo=/path` starts an authorization request (PKCE S256, `state`,
/// `nonce`) bound to this browser by a per-login cookie; `GET /bff/callback` checks `state`
/// and its cookie, RFC 9207's `iss`, redeems the code, verifies the ID token, fetches the
/// user's claims and starts a session under a new id (no fixation), then redirects to
/// `returnTo`.
struct LoginRoutes: Sendable {
    let bff: BFF

    func add(to router: Router<BasicRequestContext>) {
        router.get("/bff/login") { request, _ in await answer { () async throws(BFFError) in try await login(request) } }
        router.get("/bff/callback") { request, _ in await answer { () async throws(BFFError) in try await callback(request) } }
    }

    /// A local path to return to after login: one leading `/`, not `//` or `/\` (which
    /// browsers read as another host), no control characters; `/` when absent.
    static func returnPath(_ text: String?) throws(BFFError) -> String {
        guard let text, !text.isEmpty else { return "/" }
        let invalid = !text.hasPrefix("/") || text.hasPrefix("//") || text.hasPrefix("/\\") || text.utf8.count > 2048
            || text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" }
        guard !invalid else { throw BFFError(.invalidRequest, "returnTo must be a path on this site") }
        return text
    }

    private func login(_ request: Request) async throws(BFFError) -> Response {
        let parameters = request.uri.queryParameters
        guard parameters.getAll("returnTo").count <= 1 else { throw BFFError(.invalidRequest, "returnTo is repeated") }
        let returnTo = try Self.returnPath(parameters.get("returnTo"))
        let metadata = try await providerMetadata()
        let (state, nonce, verifier, binding) = (SessionKeys.randomID(), SessionKeys.randomID(), SessionKeys.randomID(), SessionKeys.randomID())
        try await bff.store.put(
            LoginTransaction(nonce: nonce, verifier: verifier, returnTo: returnTo, binding: binding, previousSession: bff.cookies.sessionID(in: request)),
            state: state
        )
        let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded
        let query = FormEncoding.encode([
            ("response_type", "code"), ("client_id", bff.configuration.clientID), ("redirect_uri", bff.configuration.callbackURL),
            ("scope", bff.configuration.loginScope), ("state", state), ("nonce", nonce), ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        let separator = metadata.authorizationEndpoint.contains("?") ? "&" : "?"
        return Response(status: .found, headers: [
            .location: metadata.authorizationEndpoint + separator + query, .cacheControl: "no-store",
            .setCookie: bff.cookies.setTransaction(tag(state), binding: binding),
        ])
    }

    private func callback(_ request: Request) async throws(BFFError) -> Response {
        let parameters = request.uri.queryParameters
        guard let state = parameters.get("state"), parameters.getAll("state").count == 1 else {
            throw BFFError(.invalidRequest, "state is missing")
        }
        guard let transaction = try await bff.store.take(state: state) else { throw BFFError(.invalidRequest, "unknown or already used state") }
        guard let binding = bff.cookies.transactionBinding(tag(state), in: request), constantTimeEquals(binding, transaction.binding) else {
            throw BFFError(.invalidRequest, "the login was started in another browser")
        }
        if let error = parameters.get("error") {
            let code = error.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0 == "_") } ? error : "error"
            throw BFFError(.loginRefused, "the issuer answered \(code)")
        }
        // RFC 9207: the answer must name the issuer the request went to.
        guard parameters.get("iss") == bff.configuration.issuer else { throw BFFError(.loginRefused, "iss does not name the issuer") }
        guard let code = parameters.get("code") else { throw BFFError(.invalidRequest, "code is missing") }
        let tokens: TokenSet
        do {
            tokens = try await bff.provider.redeem(code: code, redirectURI: bff.configuration.callbackURL, verifier: transaction.verifier)
        } catch .refused(let error) {
            throw BFFError(.loginRefused, "the code exchange was refused (\(error))")
        } catch {
            throw BFFError(.unavailable, "the issuer cannot complete the login now")
        }
        guard let idToken = tokens.idToken else { throw BFFError(.loginRefused, "no ID token was issued") }
        let now = BFF.now
        let claims = try await bff.idTokens.verify(idToken, nonce: transaction.nonce, now: now)
        var userClaims: [String: JSONValue]
        do {
            userClaims = try await bff.provider.userInfo(accessToken: tokens.accessToken)
        } catch {
            throw BFFError(.unavailable, "the issuer's userinfo cannot be read now")
        }
        guard userClaims["sub"] == nil || userClaims["sub"] == .string(claims.sub) else {
            throw BFFError(.loginRefused, "userinfo names another user")
        }
        userClaims["sub"] = .string(claims.sub)
        let session = BFFSession(
            accessToken: tokens.accessToken, accessTokenExpiresAt: now + (tokens.expiresIn ?? 60), refreshToken: tokens.refreshToken,
            idToken: idToken, claims: userClaims, subject: claims.sub, opSessionID: claims.sid,
            grantID: Self.grantID(of: tokens.accessToken), createdAt: now, expiresAt: now + bff.configuration.sessionLifetime.components.seconds
        )
        if let previous = transaction.previousSession { try await bff.store.delete(name: bff.store.name(ofSession: previous)) }
        let sessionID = try await bff.store.create(session)
        var headers: HTTPFields = [.location: transaction.returnTo, .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: bff.cookies.setSession(sessionID)))
        headers.append(HTTPField(name: .setCookie, value: bff.cookies.clearTransaction(tag(state))))
        bff.logger.info("bff session started", metadata: ["sub": "\(claims.sub)"])
        return Response(status: .found, headers: headers)
    }

    /// The `grant_id` of a TokenLedger access token (a JWT the BFF just received over TLS from
    /// the issuer; read only to index the session for revocations, never trusted for access).
    static func grantID(of accessToken: String) -> String? {
        struct GrantClaim: JWTPayload {
            var grant_id: String?
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        return (try? DefaultJWTParser().parse(Array(accessToken.utf8), as: GrantClaim.self))?.payload.grant_id
    }

    private func tag(_ state: String) -> String { String(bff.store.name(ofSession: "tx:" + state).prefix(12)) }

    private func providerMetadata() async throws(BFFError) -> ProviderMetadata {
        do {
            return try await bff.provider.metadata()
        } catch {
            throw BFFError(.unavailable, "the issuer's discovery document cannot be read")
        }
    }
}

/// Runs a route body; a ``BFFError`` becomes its JSON answer.
func answer(_ body: () async throws(BFFError) -> Response) async -> Response {
    do {
        return try await body()
    } catch {
        return error.response()
    }
}
