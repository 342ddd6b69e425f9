import Foundation
import Testing

@testable import Controller

@Suite struct CronScheduleTests {
    static func date(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test(arguments: [
        ("*/2 * * * *", "2026-03-01T10:00:30Z", "2026-03-01T10:02:00Z"),
        ("*/2 * * * *", "2026-03-01T10:01:00Z", "2026-03-01T10:02:00Z"),
        ("0 * * * *", "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
        ("30 2 * * *", "2026-12-31T03:00:00Z", "2027-01-01T02:30:00Z"),
        ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 9 * * mon-fri", "2026-11-27T10:00:00Z", "2026-11-30T09:00:00Z"),  // Friday -> Monday
        ("0 0 1 * 0", "2026-11-02T00:00:00Z", "2026-11-08T00:00:00Z"),  // day-of-month OR Sunday
        ("@hourly", "2026-03-01T10:59:59Z", "2026-03-01T11:00:00Z"),
        ("5,10-12/2 * * jan *", "2026-02-01T00:00:00Z", "2027-01-01T00:05:00Z"),
        ("0 12 * * 7", "2026-11-27T00:00:00Z", "2026-11-29T12:00:00Z"),  // 7 is Sunday
    ])
    func nextFiring(expression: String, after: String, expected: String) throws {
        let schedule = try CronSchedule(expression)
        #expect(schedule.next(after: Self.date(after)) == Self.date(expected))
    }

    @Test func impossibleDateHasNoNextRun() throws {
        #expect(try CronSchedule("0 0 30 2 *").next(after: Self.date("2026-01-01T00:00:00Z")) == nil)
    }

    @Test(arguments: [
        ("* * * *", "has 4 fields"),
        ("60 * * * *", "60 is outside 0-59"),
        ("*/0 * * * *", "step '0'"),
        ("5-1 * * * *", "runs backwards"),
        ("* * * foo *", "'foo' is not a number or a name"),
        ("@every 5m", "unknown macro"),
        ("1,,2 * * * *", "empty list item"),
    ])
    func badExpressionsSayWhatIsWrong(expression: String, fragment: String) {
        #expect {
            try CronSchedule(expression)
        } throws: { error in
            "\(error)".contains(fragment) && "\(error)".contains(expression)
        }
    }
}
