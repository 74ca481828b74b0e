import Foundation
import LedgerDomain

extension UserDirectory {
    /// Claims the service sets itself; a users file may not override them.
    package static let reservedClaims: Set<String> = [
        "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "auth_time", "nonce", "acr", "amr", "azp", "sid", "at_hash",
        "c_hash", "scope", "client_id", "grant_id",
    ]

    /// The users of the file's JSON, each entry checked for shape (unknown fields are refused,
    /// so a misspelt or clear-text `password` field never passes unnoticed).
    static func parse(_ json: Data) throws(UserDirectoryError) -> [LoginUser] {
        guard let root = try? JSONDecoder().decode(ClaimValue.self, from: json) else {
            throw UserDirectoryError("is not valid JSON")
        }
        guard case .array(let entries) = root else { throw UserDirectoryError("must be a JSON list of users") }
        var users: [LoginUser] = []
        for (index, entry) in entries.enumerated() {
            guard case .object(let fields) = entry else { throw UserDirectoryError(entry: index, "must be a JSON object") }
            let unknown = Set(fields.keys).subtracting(["username", "sub", "password_hash", "claims"]).sorted()
            if let field = unknown.first {
                let name = field.count <= 40 ? field : String(field.prefix(40)) + "…"
                throw UserDirectoryError(entry: index, "unknown field \"\(name)\" (allowed: username, sub, password_hash, claims)")
            }
            func text(_ key: String) throws(UserDirectoryError) -> String {
                guard let value = fields[key]?.stringValue else { throw UserDirectoryError(entry: index, "\(key) must be a string") }
                return value
            }
            let claims: [String: ClaimValue]
            switch fields["claims"] {
            case nil, .null?: claims = [:]
            case .object(let object)?: claims = object
            default: throw UserDirectoryError(entry: index, "claims must be a JSON object")
            }
            users.append(LoginUser(
                username: try text("username"), subject: Subject(try text("sub")), passwordHash: try text("password_hash"),
                claims: claims
            ))
        }
        return users
    }

    /// Checks one user's fields. Errors never quote the hash.
    static func check(_ user: LoginUser, index: Int) throws(UserDirectoryError) {
        let username = user.username
        guard !username.isEmpty, username.count <= 256, !username.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            username.trimmingCharacters(in: .whitespacesAndNewlines) == username
        else {
            throw UserDirectoryError(entry: index, "username must be 1…256 characters without control characters or surrounding spaces")
        }
        let sub = user.subject.rawValue
        guard !sub.isEmpty, sub.utf8.count <= 255, sub.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F }) else {
            throw UserDirectoryError(entry: index, "sub must be 1…255 printable ASCII characters (OIDC Core §2)")
        }
        guard PasswordHash.cost(of: user.passwordHash) != nil else {
            throw UserDirectoryError(entry: index, "password_hash is not a bcrypt hash ($2a$, $2b$ or $2y$, cost 4…31); make one with `tokenledger users hash`")
        }
        if let claim = user.claims.keys.filter(reservedClaims.contains).sorted().first {
            throw UserDirectoryError(entry: index, "claims may not set \"\(claim)\", which the service sets itself")
        }
    }

    /// Usernames (ignoring case) and subjects must each be unique.
    static func checkUnique(_ users: [LoginUser]) throws(UserDirectoryError) {
        var usernames: [String: Int] = [:]
        var subjects: [Subject: Int] = [:]
        for (index, user) in users.enumerated() {
            if let first = usernames.updateValue(index, forKey: user.username.lowercased()) {
                throw UserDirectoryError(entry: index, "username repeats entry \(first) (usernames are unique ignoring case)")
            }
            if let first = subjects.updateValue(index, forKey: user.subject) {
                throw UserDirectoryError(entry: index, "sub repeats entry \(first)")
            }
        }
    }
}
