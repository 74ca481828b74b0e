import Foundation
import LedgerDomain
import LedgerHTTP
import Testing
import LedgerService

/// The users file (docs/design.md#configuration-and-operations): validated at startup with errors that name the entry, never the hash.
@Suite("Login: the users file")
struct LoginUserDirectoryTests {
    static let hash = PasswordHash.make("wonderland", cost: 4)

    static func entry(_ username: String, sub: String, hash: String = hash, extra: String = "") -> String {
        #"{"username": "\#(username)", "sub": "\#(sub)", "password_hash": "\#(hash)"\#(extra)}"#
    }

    static func load(_ entries: [String]) throws(UserDirectoryError) -> UserDirectory {
        try UserDirectory(json: Data("[\(entries.joined(separator: ","))]".utf8))
    }

    @Test("a hash that is not bcrypt is refused, naming the entry and not the value")
    func rejectsNonBcrypt() throws {
        let sha = String(repeating: "ab", count: 32)
        for bad in [sha, "$2x$12$" + String(Self.hash.dropFirst(7)), "$2b$03$" + String(Self.hash.dropFirst(7)), String(Self.hash.dropLast()), "wonderland"] {
            let error = #expect(throws: UserDirectoryError.self) {
                try Self.load([Self.entry("alice", sub: "a"), Self.entry("bob", sub: "b", hash: bad)])
            }
            #expect(error?.entry == 1)
            #expect(error?.description.contains("password_hash") == true)
            #expect(error?.description.contains(bad) == false)
        }
    }

    @Test("unknown fields (a clear password), duplicates, reserved claims and bad shapes are refused")
    func rejectsBadEntries() throws {
        let cases: [([String], Int?, String)] = [
            ([Self.entry("alice", sub: "a", extra: #", "password": "wonderland""#)], 0, "unknown field \"password\""),
            ([Self.entry("alice", sub: "a"), Self.entry("Alice", sub: "b")], 1, "username"),
            ([Self.entry("alice", sub: "a"), Self.entry("bob", sub: "a")], 1, "sub repeats"),
            ([Self.entry("alice", sub: "a", extra: #", "claims": {"sub": "root"}"#)], 0, "\"sub\""),
            ([Self.entry("alice", sub: "a", extra: #", "claims": []"#)], 0, "claims"),
            ([Self.entry("", sub: "a")], 0, "username"),
            ([Self.entry("alice", sub: "")], 0, "sub"),
            ([#"{"username": "alice", "sub": "a"}"#], 0, "password_hash"),
            (["42"], 0, "object"),
        ]
        for (entries, index, fragment) in cases {
            let error = #expect(throws: UserDirectoryError.self) { try Self.load(entries) }
            #expect(error?.entry == index)
            #expect(error?.description.contains(fragment) == true, "\(error?.description ?? "")")
            #expect(error?.description.contains(Self.hash) == false)
        }
        #expect(throws: UserDirectoryError.self) { try UserDirectory(json: Data("{}".utf8)) }
        #expect(throws: UserDirectoryError.self) { try UserDirectory(json: Data("not json".utf8)) }
        let missing = #expect(throws: UserDirectoryError.self) { try UserDirectory(contentsOf: "/nonexistent/users.json") }
        #expect(missing?.description.contains("/nonexistent/users.json") == true)
    }

    @Test("verifies bcrypt passwords, including $2y$ and $2a$ hashes; unknown users and NUL never match")
    func verifies() async throws {
        let body = String(Self.hash.dropFirst(4))
        let directory = try Self.load([
            Self.entry("alice", sub: "a", extra: #", "claims": {"name": "Alice", "email_verified": true, "age": 7}"#),
            Self.entry("bob", sub: "b", hash: "$2y$" + body), Self.entry("carol", sub: "c", hash: "$2a$" + body),
        ])
        #expect(try await directory.authenticate(username: "alice", password: "wonderland")?.subject == Subject("a"))
        #expect(try await directory.authenticate(username: "bob", password: "wonderland")?.subject == Subject("b"))
        #expect(try await directory.authenticate(username: "carol", password: "wonderland")?.subject == Subject("c"))
        #expect(try await directory.authenticate(username: "alice", password: "Wonderland") == nil)
        #expect(try await directory.authenticate(username: "alice", password: "wonderland\u{0}x") == nil)
        #expect(try await directory.authenticate(username: "dave", password: "wonderland") == nil)
        #expect(directory.user(subject: Subject("a"))?.claims == ["name": .string("Alice"), "email_verified": .bool(true), "age": .int(7)])
        #expect(!"\(directory.users)".contains(Self.hash))
        #expect(try await UserDirectory.empty.authenticate(username: "alice", password: "wonderland") == nil)
        #expect(UserDirectory.empty.isEmpty)
    }

    @Test("Config/users.example.json loads and its demo user alice signs in with wonderland")
    func exampleFile() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = try UserDirectory(contentsOf: root.appendingPathComponent("Config/users.example.json").path)
        #expect(directory.users.map(\.username) == ["alice"])
        #expect(try await directory.authenticate(username: "alice", password: "wonderland") != nil)
        #expect(PasswordHash.cost(of: directory.users[0].passwordHash) == 12)
    }
}
