import ArgumentParser
import Foundation
import LedgerService

/// `tokenledger users …`: the built-in login users file (docs/design.md#configuration-and-operations).
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the built-in login users file.",
        discussion: """
            TOKENLEDGER_USERS_FILE names a JSON list of {"username", "sub", "password_hash", "claims"}; \
            without it no user can sign in. Config/users.example.json holds the demo user alice / \
            wonderland for local development only: never deploy it.
            """,
        subcommands: [Hash.self, Check.self]
    )

    /// `tokenledger users hash`: one password line on stdin → its bcrypt hash on stdout.
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a password (one line) from stdin and print its bcrypt hash for password_hash.",
            discussion: "Example: printf '%s\\n' \"$PASSWORD\" | tokenledger users hash"
        )

        @Option(help: "bcrypt cost, 10…16.")
        var cost: UInt8 = PasswordHash.defaultCost

        func validate() throws {
            guard (10...16).contains(cost) else { throw ValidationError("--cost must be between 10 and 16") }
        }

        func run() throws {
            guard var password = readLine(strippingNewline: true) else { throw ValidationError("no password on stdin") }
            if password.hasSuffix("\r") { password.removeLast() }
            guard !password.isEmpty else { throw ValidationError("the password is empty") }
            guard !password.utf8.contains(0) else { throw ValidationError("the password contains a NUL character") }
            if password.utf8.count > 72 { printError("warning: bcrypt uses only the first 72 bytes of the password") }
            print(PasswordHash.make(password, cost: cost))
        }
    }

    /// `tokenledger users check [FILE]`: validates a users file as `serve` would.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a users file (default: TOKENLEDGER_USERS_FILE) as serve does at startup."
        )

        @Argument(help: "The users file.")
        var file: String?

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let configured = file == nil ? try await ledger.load("tokenledger.users").0.usersFile : nil
            guard let path = file ?? configured else {
                throw ValidationError("no file given and TOKENLEDGER_USERS_FILE is not set")
            }
            let directory = try UserDirectory(contentsOf: path)
            print("\(path): \(directory.users.count) user(s) OK")
        }
    }
}

/// Writes a line to standard error.
private func printError(_ line: String) {
    var stderr = StandardError()
    print(line, to: &stderr)
}

private struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
