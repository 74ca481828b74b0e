import Foundation
import LedgerDomain

/// The built-in login users (docs/design.md#configuration-and-operations), loaded once from `TOKENLEDGER_USERS_FILE` and validated at
/// startup. No user exists unless configured: the empty directory signs nobody in.
package struct UserDirectory: Sendable {
    private let byUsername: [String: LoginUser]
    private let bySubject: [Subject: LoginUser]
    /// Verified against when the username is unknown, so the answer takes as long as for a
    /// known one (at the highest configured cost) and timing does not reveal who exists.
    private let dummyHash: String?

    /// The directory with no users.
    package static let empty = UserDirectory(checked: [])

    /// A directory of `users`, validated like the users file.
    package init(_ users: [LoginUser]) throws(UserDirectoryError) {
        for (index, user) in users.enumerated() { try Self.check(user, index: index) }
        try Self.checkUnique(users)
        self.init(checked: users)
    }

    /// Reads and validates a users file.
    package init(contentsOf path: String) throws(UserDirectoryError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw UserDirectoryError(path: path, "cannot be read")
        }
        do {
            try self.init(json: data)
        } catch {
            throw UserDirectoryError(path: path, entry: error.entry, error.detail)
        }
    }

    /// Parses and validates the users file's JSON: a list of
    /// `{"username", "sub", "password_hash", "claims"}` objects.
    package init(json: Data) throws(UserDirectoryError) {
        try self.init(Self.parse(json))
    }

    private init(checked users: [LoginUser]) {
        byUsername = Dictionary(uniqueKeysWithValues: users.map { ($0.username, $0) })
        bySubject = Dictionary(uniqueKeysWithValues: users.map { ($0.subject, $0) })
        dummyHash = users.compactMap { PasswordHash.cost(of: $0.passwordHash) }.max().map {
            PasswordHash.make(SecretDigest.mint(), cost: $0)
        }
    }

    /// Every user, by username.
    package var users: [LoginUser] { byUsername.values.sorted { $0.username < $1.username } }

    /// Whether no user is configured.
    package var isEmpty: Bool { byUsername.isEmpty }

    /// The user with this `sub`, if configured.
    package func user(subject: Subject) -> LoginUser? { bySubject[subject] }

    /// The user whose username and password both match, else nil. Unknown usernames cost one
    /// bcrypt verification too, so the caller cannot tell which of the two was wrong.
    package func authenticate(username: String, password: String) async throws(BcryptPoolError) -> LoginUser? {
        guard let user = byUsername[username] else {
            if let dummyHash { _ = try await PasswordHash.verify(password, hash: dummyHash) }
            return nil
        }
        return try await PasswordHash.verify(password, hash: user.passwordHash) ? user : nil
    }
}
