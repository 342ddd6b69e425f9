import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) or a macro
/// (`@hourly`, `@daily`, ...), as the Kubernetes CronJob controller reads it, evaluated in UTC.
///
/// Fields accept `*`, `?`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, and the
/// names `jan`-`dec` and `sun`-`sat`; day-of-week 7 is Sunday. When both day fields are
/// restricted, a day matches either (as Vixie cron and Kubernetes do).
public struct CronSchedule: Sendable, Equatable {
    let minutes: Set<Int>
    let hours: Set<Int>
    let days: Set<Int>
    let months: Set<Int>
    let weekdays: Set<Int>
    let daysRestricted: Bool
    let weekdaysRestricted: Bool

    /// The expression as written.
    public let text: String

    /// Parses an expression.
    /// - Throws: `CronSchedule.ParseError` naming the field and what is wrong.
    public init(_ text: String) throws {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        if expanded.hasPrefix("@") {
            throw ParseError(expression: text, problem: "unknown macro; use @yearly, @monthly, @weekly, @daily or @hourly")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(expression: text, problem: "has \(fields.count) fields; a schedule has five (minute hour day-of-month month day-of-week)")
        }
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [:], text: text)
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [:], text: text)
        days = try Self.field(fields[2], name: "day-of-month", range: 1...31, names: [:], text: text)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, text: text)
        let rawWeekdays = try Self.field(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames, text: text)
        weekdays = Set(rawWeekdays.map { $0 % 7 })
        daysRestricted = !(fields[2].hasPrefix("*") || fields[2].hasPrefix("?"))
        weekdaysRestricted = !(fields[4].hasPrefix("*") || fields[4].hasPrefix("?"))
    }

    /// The first minute strictly after `date` that the schedule fires at; nil if none within five years
    /// (e.g. `0 0 30 2 *`).
    public func next(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = floor(date.timeIntervalSince1970 / 60) * 60 + 60
        var parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: start))
        let lastYear = parts.year! + 5
        while parts.year! <= lastYear {
            guard months.contains(parts.month!) else {
                parts.month! += 1
                if parts.month! > 12 { parts.month = 1; parts.year! += 1 }
                parts.day = 1; parts.hour = 0; parts.minute = 0
                continue
            }
            guard let day = calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: parts.day)),
                calendar.component(.month, from: day) == parts.month
            else {
                parts.month! += 1
                if parts.month! > 12 { parts.month = 1; parts.year! += 1 }
                parts.day = 1; parts.hour = 0; parts.minute = 0
                continue
            }
            let weekday = calendar.component(.weekday, from: day) - 1
            guard matchesDay(dayOfMonth: parts.day!, weekday: weekday) else {
                parts.day! += 1; parts.hour = 0; parts.minute = 0
                continue
            }
            guard hours.contains(parts.hour!) else {
                parts.hour! += 1; parts.minute = 0
                if parts.hour! > 23 { parts.day! += 1; parts.hour = 0 }
                continue
            }
            guard minutes.contains(parts.minute!) else {
                parts.minute! += 1
                if parts.minute! > 59 { parts.hour! += 1; parts.minute = 0 }
                if parts.hour! > 23 { parts.day! += 1; parts.hour = 0 }
                continue
            }
            return calendar.date(from: parts)
        }
        return nil
    }

    private func matchesDay(dayOfMonth: Int, weekday: Int) -> Bool {
        if daysRestricted && weekdaysRestricted {
            return days.contains(dayOfMonth) || weekdays.contains(weekday)
        }
        return days.contains(dayOfMonth) && weekdays.contains(weekday)
    }

    /// A schedule that cannot be read.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The expression.
        public var expression: String
        /// What is wrong with it.
        public var problem: String
        public var description: String { "schedule '\(expression)' \(problem)" }
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    private static func field(_ field: String, name: String, range: ClosedRange<Int>, names: [String: Int], text: String) throws -> Set<Int> {
        func fail(_ problem: String) -> ParseError {
            ParseError(expression: text, problem: "has a bad \(name) field '\(field)': \(problem)")
        }
        func value(_ token: Substring) throws -> Int {
            if let number = Int(token) {
                guard range.contains(number) else { throw fail("\(number) is outside \(range.lowerBound)-\(range.upperBound)") }
                return number
            }
            if let named = names[token.lowercased()] { return named }
            throw fail("'\(token)' is not a number\(names.isEmpty ? "" : " or a name")")
        }
        var result = Set<Int>()
        for part in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw fail("an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw fail("more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else { throw fail("the step '\(pieces[1])' must be a positive number") }
                step = parsed
            }
            let base = pieces[0]
            var low: Int
            var high: Int
            if base == "*" || base == "?" {
                low = range.lowerBound
                high = name == "day-of-week" ? 6 : range.upperBound
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw fail("the range \(low)-\(high) runs backwards") }
            } else {
                low = try value(base)
                high = pieces.count == 2 ? range.upperBound : low
            }
            result.formUnion(stride(from: low, through: high, by: step))
        }
        return result
    }
}
