/// Why the users file was refused at startup. Names the entry (its index in the list, from 0)
/// and the field, never a password hash.
package struct UserDirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file that was read, when there was one.
    package var path: String?
    /// The offending entry's index, when one entry is at fault.
    package var entry: Int?
    /// What is wrong.
    package var detail: String

    /// Creates an error.
    package init(path: String? = nil, entry: Int? = nil, _ detail: String) {
        self.path = path
        self.entry = entry
        self.detail = detail
    }

    package var description: String {
        let file = path.map { "users file \($0)" } ?? "users file"
        return entry.map { "\(file): entry \($0): \(detail)" } ?? "\(file): \(detail)"
    }
}
