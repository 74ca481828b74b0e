import WebEncoding
import Hummingbird
import LedgerDomain

/// RFC 6750 bearer-token use at a protected resource of this service: reading the token from
/// `Authorization: Bearer`, and the RFC 6750 §3 errors with their `WWW-Authenticate` challenges.
enum BearerChallenge {
    /// The realm every challenge names.
    static let realm = "tokenledger"

    /// The token of `Authorization: Bearer <token>`. A missing header, or one of another scheme
    /// (e.g. Basic), is nil: the request carries no bearer credentials (RFC 6750 §3.1). Several
    /// headers, or a malformed token, are `invalid_request` (RFC 6750 §2.1, §3.1).
    static func token(in request: Request) throws(OAuthError) -> String? {
        let headers = request.headers[values: .authorization]
        guard let header = headers.first else { return nil }
        guard headers.count == 1 else { throw invalidRequest("the Authorization header must be one Bearer token") }
        guard header.prefix(7).lowercased() == "bearer " else { return nil }
        return try validated(header.dropFirst(7).trimmingOptionalWhitespace)
    }

    /// The token of the request, from `Authorization: Bearer` or, when `form` is the body of a
    /// form POST, its `access_token` (RFC 6750 §2.2). Both at once is `invalid_request` (§2).
    static func token(in request: Request, form: FormParameters?) throws(OAuthError) -> String? {
        let header = try token(in: request)
        guard let body = form?["access_token"] else { return header }
        guard header == nil else { throw invalidRequest("send the access token one way only") }
        return try validated(Substring(body))
    }

    /// `token` when it is a b64token of at most 8 KiB (RFC 6750 §2.1), else `invalid_request`.
    private static func validated(_ token: Substring) throws(OAuthError) -> String {
        // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        guard !token.isEmpty, token.utf8.count <= 8192,
            token.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._~+/=".unicodeScalars.contains($0)) })
        else { throw invalidRequest("the bearer token is malformed") }
        return String(token)
    }

    /// 401 without an error code: the request carried no token (RFC 6750 §3.1).
    static var missing: OAuthError {
        OAuthError("invalid_request", "a bearer access token is required", status: .unauthorized, challenge: "Bearer realm=\"\(realm)\"")
    }

    /// 400 `invalid_request`.
    static func invalidRequest(_ detail: String) -> OAuthError {
        OAuthError("invalid_request", detail, status: .badRequest, challenge: "Bearer realm=\"\(realm)\", error=\"invalid_request\"")
    }

    /// 401 `invalid_token`: expired, revoked, malformed or not ours.
    static func invalidToken(_ detail: String) -> OAuthError {
        OAuthError("invalid_token", detail, status: .unauthorized, challenge: "Bearer realm=\"\(realm)\", error=\"invalid_token\"")
    }

    /// 403 `insufficient_scope`, naming the scope needed.
    static func insufficientScope(_ scope: String) -> OAuthError {
        OAuthError(
            "insufficient_scope", "the access token lacks scope \(scope)", status: .forbidden,
            challenge: "Bearer realm=\"\(realm)\", error=\"insufficient_scope\", scope=\"\(scope)\""
        )
    }
}
