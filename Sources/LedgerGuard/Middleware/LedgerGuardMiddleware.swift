import WebEncoding
import Foundation
import Hummingbird
import LedgerDomain

/// Requires a valid access token (RFC 6750 §2.1 `Authorization: Bearer`) and, optionally,
/// scopes; puts the validated token in the request context. Refusals follow RFC 6750 §3:
///
/// - no credentials: 401 with `WWW-Authenticate: Bearer realm="…"` and no error code;
/// - an unusable `Authorization` header: 400 `error="invalid_request"`;
/// - a token the validator refuses (bad, expired, revoked): 401 `error="invalid_token"`;
/// - a valid token without a required scope: 403 `error="insufficient_scope"` naming the scopes;
/// - the kit cannot decide (revocation state stale, JWKS unreachable): 503 with `Retry-After`.
///
/// Failing closed answers 503, not 401: the token may be perfectly good, and a client told
/// `invalid_token` would discard it and sign in again — every client at once, the moment Redis
/// blips. 503 with `Retry-After` says "this server, retry the same token shortly".
public struct LedgerGuardMiddleware<Context: AccessTokenRequestContext>: RouterMiddleware {
    private let validator: AccessTokenValidator
    private let requiredScopes: [String]
    private let realm: String
    private let retryAfterSeconds: Int

    /// Creates the middleware; every scope in `requiredScopes` must be granted.
    public init(validator: AccessTokenValidator, requiredScopes: [String] = [], realm: String = "api", retryAfterSeconds: Int = 2) {
        self.validator = validator
        self.requiredScopes = requiredScopes
        self.realm = realm
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Validates the bearer token and calls `next` with the token in the context, or answers the refusal.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = request.headers[values: .authorization]
        guard let header = presented.first, header.prefix(while: { $0 != " " }).lowercased() == "bearer" else {
            return challenge(.unauthorized)
        }
        let token = String(header.dropFirst(6).trimmingOptionalWhitespace)
        guard presented.count == 1, !token.isEmpty, !token.contains(" ") else {
            return challenge(.badRequest, error: "invalid_request", description: "malformed Authorization header")
        }
        let claims: AccessToken
        do {
            claims = try await validator.validate(token)
        } catch {
            switch error.code {
            case .revocationsStale, .jwksUnavailable, .feedUnavailable:
                var response = challenge(.serviceUnavailable, error: "temporarily_unavailable", description: "token status cannot be confirmed now")
                response.headers[.wwwAuthenticate] = nil
                response.headers[.retryAfter] = "\(retryAfterSeconds)"
                return response
            default:
                return challenge(.unauthorized, error: "invalid_token", description: error.detail)
            }
        }
        let missing = requiredScopes.filter { !claims.scopes.contains($0) }
        guard missing.isEmpty else {
            return challenge(.forbidden, error: "insufficient_scope", description: "token lacks a required scope", scope: requiredScopes)
        }
        var context = context
        context.accessToken = claims
        return try await next(request, context)
    }

    /// A refusal with its `WWW-Authenticate` challenge (RFC 6750 §3) and a JSON body.
    private func challenge(
        _ status: HTTPResponse.Status, error: String? = nil, description: String? = nil, scope: [String] = []
    ) -> Response {
        var parameters = ["realm=\"\(realm)\""]
        if let error { parameters.append("error=\"\(error)\"") }
        if let description { parameters.append("error_description=\"\(description.replacingOccurrences(of: "\"", with: "'"))\"") }
        if !scope.isEmpty { parameters.append("scope=\"\(scope.joined(separator: " "))\"") }
        var headers: HTTPFields = [.wwwAuthenticate: "Bearer " + parameters.joined(separator: ", "), .cacheControl: "no-store"]
        guard let error else { return Response(status: status, headers: headers) }
        headers[.contentType] = "application/json"
        let body = (try? JSONEncoder().encode(["error": error, "error_description": description ?? ""])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
