import JWTKit

/// The RFC 9068 checks of one deployment, pure and synchronous: the header (algorithm
/// allowlist and `typ`) before any signature work, then the claims against a given time.
public struct AccessTokenRules: Sendable, Hashable {
    /// The only signing algorithms accepted (I7): never `none`, never HS*.
    public static let allowedAlgorithms: Set<String> = ["ES256", "RS256", "EdDSA"]
    /// The largest clock skew the kit allows, whatever is configured.
    public static let maximumSkew: Duration = .seconds(15)

    /// The exact `iss` expected.
    public var issuer: String
    /// The audience this resource server answers to; `aud` must contain it.
    public var audience: String
    /// Tolerance for `exp`, `nbf` and `iat`, capped at ``maximumSkew``.
    public var clockSkew: Duration {
        didSet { clockSkew = min(max(clockSkew, .zero), Self.maximumSkew) }
    }

    /// Creates rules; a skew above 15 s is lowered to 15 s.
    public init(issuer: String, audience: String, clockSkew: Duration = .seconds(5)) {
        self.issuer = issuer
        self.audience = audience
        self.clockSkew = min(max(clockSkew, .zero), Self.maximumSkew)
    }

    /// Whole seconds of skew.
    var skewSeconds: Int64 { clockSkew.components.seconds }

    /// Checks the header and returns the key id and algorithm to verify with.
    public func checkHeader(_ header: JWTHeader) throws(GuardError) -> (kid: String, alg: String) {
        try Self.checkHeader(header, type: "at+jwt")
    }

    /// Checks a JWS header before any signature work: an allowed algorithm, `typ` equal to
    /// `type` or its full media type (compared case-insensitively), no `crit`, and a `kid`.
    static func checkHeader(_ header: JWTHeader, type: String) throws(GuardError) -> (kid: String, alg: String) {
        guard let alg = header.alg, allowedAlgorithms.contains(alg) else {
            throw GuardError(.algorithmNotAllowed, "header alg is not ES256, RS256 or EdDSA")
        }
        guard let typ = header.typ?.lowercased(), typ == type || typ == "application/" + type else {
            throw GuardError(.wrongType, "header typ is not \(type)")
        }
        // RFC 7515 §4.1.11: extensions the kit does not implement must be refused.
        guard header.crit?.isEmpty ?? true else { throw GuardError(.malformedToken, "header has crit extensions") }
        guard let kid = header.kid, !kid.isEmpty else { throw GuardError(.unknownKey, "header has no kid") }
        return (kid, alg)
    }

    /// Checks the claims at `now` (Unix seconds) and returns the validated token.
    func checkClaims(_ payload: AccessTokenPayload, now: Int64) throws(GuardError) -> AccessToken {
        func required<T>(_ value: T?, _ name: String) throws(GuardError) -> T {
            guard let value, (value as? String)?.isEmpty != true else { throw GuardError(.missingClaim, "claim \(name) is missing") }
            return value
        }
        let iss = try required(payload.iss, "iss")
        let sub = try required(payload.sub, "sub")
        let aud = try required(payload.aud, "aud")
        let exp = try required(payload.exp, "exp")
        let iat = try required(payload.iat, "iat")
        let jti = try required(payload.jti, "jti")
        let clientID = try required(payload.clientID, "client_id")
        let grantID = try required(payload.grantID, "grant_id")
        guard iss == issuer else { throw GuardError(.wrongIssuer, "iss is not the configured issuer") }
        guard aud.value.contains(audience) else { throw GuardError(.wrongAudience, "aud does not name this resource server") }
        guard now < exp + skewSeconds else { throw GuardError(.expired, "exp has passed") }
        guard iat <= now + skewSeconds, (payload.nbf ?? iat) <= now + skewSeconds else {
            throw GuardError(.notYetValid, "iat or nbf lies in the future")
        }
        let scopes = payload.scope.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        return AccessToken(
            issuer: iss, subject: sub, audiences: aud.value, expiresAt: exp, issuedAt: iat, jti: jti, clientID: clientID,
            grantID: grantID, sid: payload.sid, scopes: scopes
        )
    }
}
