import LedgerDomain
import LedgerService

/// The body of `POST /admin/revocations`: exactly one of `subject`, `session`, `grant`,
/// `client_id`, `jti`, plus an optional `reason` (default `admin`) and, with `jti`, an
/// optional `exp` (unix seconds).
package struct RevocationRequest: Sendable, Hashable, Decodable {
    /// `subject`: a `sub`.
    package var subject: String?
    /// `session`: a `sid`.
    package var session: String?
    /// `grant`: a `grant_id`.
    package var grant: String?
    /// `client_id`.
    package var clientID: String?
    /// `jti` of an access token.
    package var jti: String?
    /// Why; default `admin`.
    package var reason: String?
    /// With `jti`: when the token expires (unix seconds); default the expiry the log recorded.
    package var exp: Int64?

    /// Creates a request.
    package init(
        subject: String? = nil, session: String? = nil, grant: String? = nil, clientID: String? = nil, jti: String? = nil,
        reason: String? = nil, exp: Int64? = nil
    ) {
        self.subject = subject
        self.session = session
        self.grant = grant
        self.clientID = clientID
        self.jti = jti
        self.reason = reason
        self.exp = exp
    }

    enum CodingKeys: String, CodingKey { case subject, session, grant, clientID = "client_id", jti, reason, exp }

    /// The target and reason, or `invalid_request` when not exactly one target is given, an
    /// identifier is empty, the reason is malformed or `exp` comes without `jti`.
    package func parsed() throws(AdminError) -> (target: RevocationTarget, reason: RevocationReason) {
        let given = [subject, session, grant, clientID, jti].compactMap { $0 }
        guard given.count == 1 else {
            throw .invalidRequest("exactly one of subject, session, grant, client_id, jti is required")
        }
        guard let id = given.first, !id.isEmpty, id.utf8.count <= 512 else {
            throw .invalidRequest("the identifier must have 1 to 512 bytes")
        }
        guard exp == nil || jti != nil else { throw .invalidRequest("exp is only allowed with jti") }
        if let exp, exp <= 0 { throw .invalidRequest("exp must be a positive unix time in seconds") }
        let reason = try Self.reason(self.reason)
        let target: RevocationTarget =
            if subject != nil { .subject(Subject(id)) }
            else if session != nil { .session(SessionID(id)) }
            else if grant != nil { .grant(GrantID(id)) }
            else if clientID != nil { .client(ClientID(id)) }
            else { .accessToken(TokenID(id), expiresAt: exp.map { Instant(seconds: $0) }) }
        return (target, reason)
    }

    /// A reason is a short machine-readable word (`[A-Za-z0-9_.:-]`, 1–64 characters); default `admin`.
    static func reason(_ text: String?) throws(AdminError) -> RevocationReason {
        guard let text else { return .admin }
        let allowed = text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.:-".unicodeScalars.contains($0)
        }
        guard allowed, (1...64).contains(text.count) else {
            throw .invalidRequest("reason must be 1 to 64 characters of letters, digits, _ . : -")
        }
        return RevocationReason(text)
    }
}
