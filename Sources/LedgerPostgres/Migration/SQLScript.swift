import Foundation

/// Splits a SQL script into statements at top-level semicolons, respecting quoted strings,
/// quoted identifiers, dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`) and comments.
/// postgres-nio runs one statement per query, so migration files are sent statement by statement.
enum SQLScript {
    /// The non-empty statements of `script`, without their terminating semicolons. Chunks that
    /// hold only comments and whitespace are dropped.
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var hasCode = false
        let chars = Array(script)
        var i = 0
        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if hasCode, !trimmed.isEmpty { statements.append(trimmed) }
            current = ""
            hasCode = false
        }
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "-", next == "-" {
                while i < chars.count, chars[i] != "\n" { current.append(chars[i]); i += 1 }
                continue
            }
            if c == "/", next == "*" {
                // Block comments nest in PostgreSQL.
                var depth = 0
                while i < chars.count {
                    if chars[i] == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                        depth += 1; current += "/*"; i += 2
                    } else if chars[i] == "*", i + 1 < chars.count, chars[i + 1] == "/" {
                        depth -= 1; current += "*/"; i += 2
                        if depth == 0 { break }
                    } else {
                        current.append(chars[i]); i += 1
                    }
                }
                continue
            }
            hasCode = hasCode || !c.isWhitespace && c != ";"
            if c == "'" || c == "\"" {
                // In an escape string (E'…') a backslash escapes the next character.
                let escapes = c == "'" && i > 0 && (chars[i - 1] == "E" || chars[i - 1] == "e")
                    && (i < 2 || !isIdentifierCharacter(chars[i - 2]))
                current.append(c); i += 1
                while i < chars.count {
                    current.append(chars[i])
                    if escapes, chars[i] == "\\", i + 1 < chars.count { current.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == c {
                        if i + 1 < chars.count, chars[i + 1] == c { current.append(c); i += 2; continue }
                        i += 1
                        break
                    }
                    i += 1
                }
                continue
            }
            // A `$` inside an identifier (`a$b`, `x$$`) does not open a dollar quote.
            if c == "$", i == 0 || !isIdentifierCharacter(chars[i - 1]), let tag = dollarTag(chars, at: i) {
                current += tag; i += tag.count
                let tagChars = Array(tag)
                while i < chars.count, !(chars[i...].starts(with: tagChars)) { current.append(chars[i]); i += 1 }
                if i < chars.count { current += tag; i += tag.count }
                continue
            }
            if c == ";" { flush(); i += 1; continue }
            current.append(c); i += 1
        }
        flush()
        return statements
    }

    /// The dollar-quote opener at `i` (`$$` or `$tag$`), if there is one.
    private static func dollarTag(_ chars: [Character], at i: Int) -> String? {
        var j = i + 1
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
        guard j < chars.count, chars[j] == "$" else { return nil }
        if j > i + 1, chars[i + 1].isNumber { return nil }  // $1 is a parameter, not a tag
        return String(chars[i...j])
    }

    /// Whether `c` can continue an unquoted identifier (PostgreSQL allows `$` after the first character).
    private static func isIdentifierCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "$"
    }
}
