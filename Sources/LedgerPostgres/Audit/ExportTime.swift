import Foundation

/// ISO 8601 times as exports write them: UTC, millisecond precision.
package enum ExportTime {
    /// `2027-01-15T08:00:00.000Z`.
    package static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// `iso8601` of integer milliseconds since the epoch, computed without a formatter (CSV
    /// exports write one per row) for years 1970 to 9999.
    package static func iso8601(milliseconds: Int64) -> String {
        var text: [UInt8] = []
        appendISO8601(milliseconds: milliseconds, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``iso8601(milliseconds:)`` to `text`.
    static func appendISO8601(milliseconds: Int64, to text: inout [UInt8]) {
        guard milliseconds >= 0, milliseconds < 253_402_300_800_000 else {
            text.append(contentsOf: iso8601(Date(timeIntervalSince1970: Double(milliseconds) / 1000)).utf8)
            return
        }
        let (days, inDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        // Howard Hinnant's civil_from_days, for days since 1970-01-01.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func digits(_ value: Int64, _ width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4)
        text.append(UInt8(ascii: "-"))
        digits(month, 2)
        text.append(UInt8(ascii: "-"))
        digits(day, 2)
        text.append(UInt8(ascii: "T"))
        digits(inDay / 3_600_000, 2)
        text.append(UInt8(ascii: ":"))
        digits(inDay / 60_000 % 60, 2)
        text.append(UInt8(ascii: ":"))
        digits(inDay / 1000 % 60, 2)
        text.append(UInt8(ascii: "."))
        digits(inDay % 1000, 3)
        text.append(UInt8(ascii: "Z"))
    }

    /// Parses an ISO 8601 time with or without fractional seconds (or a bare date, UTC).
    package static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
