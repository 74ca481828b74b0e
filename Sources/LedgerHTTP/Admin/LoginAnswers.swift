import Foundation
import LedgerDomain
import LedgerService

/// The bodies the platform's login and consent apps send (docs/login-delegation.md), checked
/// here: names and shapes, never echoing a value.
enum LoginAnswers {
    /// `PUT /admin/login-requests/{challenge}/accept`.
    struct LoginAccept: Decodable {
        var subject: String
        var remember: Bool?
        var rememberFor: Int64?
        var acr: String?
        var amr: [String]?
        var authTime: Int64?
        var claims: [String: JSONValue]?

        enum CodingKeys: String, CodingKey {
            case subject, remember, rememberFor = "remember_for", acr, amr, authTime = "auth_time", claims
        }

        func validated(now: Instant) throws(AdminError) -> LoginAcceptance {
            guard !subject.isEmpty, subject.utf8.count <= 255 else { throw .invalidRequest("subject must have 1 to 255 bytes") }
            if let rememberFor, rememberFor < 0 { throw .invalidRequest("remember_for must not be negative") }
            if let acr, acr.isEmpty || acr.utf8.count > 255 { throw .invalidRequest("acr must have 1 to 255 bytes") }
            if let amr, amr.count > 16 || amr.contains(where: { $0.isEmpty || $0.utf8.count > 64 }) {
                throw .invalidRequest("amr must list at most 16 values of 1 to 64 bytes")
            }
            if let authTime, authTime < 0 || authTime > now.seconds + 60 { throw .invalidRequest("auth_time must be a past Unix time in seconds") }
            try LoginAnswers.check(claims, field: "claims")
            return LoginAcceptance(
                subject: Subject(subject), remember: remember ?? false, rememberFor: rememberFor, acr: acr, amr: amr,
                authTime: authTime.map { Instant(seconds: $0) }, claims: claims
            )
        }
    }

    /// `PUT /admin/consent-requests/{challenge}/accept`.
    struct ConsentAccept: Decodable {
        struct Session: Decodable {
            var idToken: [String: JSONValue]?
            var userinfo: [String: JSONValue]?

            enum CodingKeys: String, CodingKey { case idToken = "id_token", userinfo }
        }

        var grantScope: [String]?
        var remember: Bool?
        var rememberFor: Int64?
        var session: Session?

        enum CodingKeys: String, CodingKey { case grantScope = "grant_scope", remember, rememberFor = "remember_for", session }

        func validated() throws(AdminError) -> ConsentAcceptance {
            if let rememberFor, rememberFor < 0 { throw .invalidRequest("remember_for must not be negative") }
            if let grantScope, grantScope.contains(where: { $0.isEmpty || $0.contains(" ") }) {
                throw .invalidRequest("grant_scope must list scope values")
            }
            try LoginAnswers.check(session?.idToken, field: "session.id_token")
            try LoginAnswers.check(session?.userinfo, field: "session.userinfo")
            return ConsentAcceptance(
                scope: grantScope.map(Scope.init), remember: remember ?? false, rememberFor: rememberFor,
                claims: .init(idToken: session?.idToken, userinfo: session?.userinfo)
            )
        }
    }

    /// `PUT …/reject` of either app.
    struct Reject: Decodable {
        var error: String?
        var errorDescription: String?

        enum CodingKeys: String, CodingKey { case error, errorDescription = "error_description" }

        /// The OAuth error and description sent to the client (`access_denied` by default).
        func validated() throws(AdminError) -> (error: String, description: String?) {
            let error = self.error ?? "access_denied"
            guard (1...64).contains(error.utf8.count), error.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 >= 97 && $0 <= 122) }) else {
                throw .invalidRequest("error must be an OAuth error code (lowercase letters and _)")
            }
            if let errorDescription, errorDescription.utf8.count > 500
                || !errorDescription.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value <= 0x7E && $0 != "\"" && $0 != "\\" })
            {
                throw .invalidRequest("error_description must be at most 500 printable ASCII characters, without \" or \\")
            }
            return (error, errorDescription)
        }
    }

    /// Claims the apps may supply: not the ones the service sets itself, at most 100.
    static func check(_ claims: [String: JSONValue]?, field: String) throws(AdminError) {
        guard let claims else { return }
        guard claims.count <= 100 else { throw .invalidRequest("\(field) must hold at most 100 claims") }
        if claims.keys.contains(where: { UserDirectory.reservedClaims.contains($0) || $0.isEmpty }) {
            throw .invalidRequest("\(field) may not set a claim the service sets itself (iss, sub, aud, exp, iat, auth_time, nonce, acr, amr, sid, …)")
        }
    }
}
