import Testing

@testable import PyBakCore

@Suite struct RetentionRulesTests {
    /// Versions at noon UTC on consecutive days from 2026-01-01 (a Thursday), ids 1...n.
    func daily(_ n: Int) -> [(id: Int64, time: Double)] {
        (0..<n).map { (Int64($0 + 1), 1_767_268_800 + Double($0) * 86_400) }
    }

    @Test func keepLastKeepsTheNewest() throws {
        let kept = try RetentionRules(keepLast: 3).keep(daily(10))
        #expect(Set(kept.keys) == [8, 9, 10])
    }

    @Test func keepWithinCountsFromTheNewestVersion() throws {
        let kept = try RetentionRules(keepWithin: "72h").keep(daily(10))
        #expect(Set(kept.keys) == [7, 8, 9, 10])
    }

    @Test func dailyKeepsTheNewestOfEachDay() throws {
        var versions = daily(5)
        versions.append((id: 99, time: versions[4].time - 3600))  // earlier the same day as id 5
        let kept = try RetentionRules(keepDaily: 2).keep(versions)
        #expect(Set(kept.keys) == [5, 4])
    }

    @Test func weeklyAndMonthlyUseISOWeeksAndCalendarMonths() throws {
        let versions = daily(70)  // 2026-01-01 ... 2026-03-11
        let weekly = try RetentionRules(keepWeekly: 3).keep(versions)
        // Newest per ISO week: Wed 2026-03-11 (id 70), Sun 03-08 (67), Sun 03-01 (60).
        #expect(Set(weekly.keys) == [70, 67, 60])
        let monthly = try RetentionRules(keepMonthly: 5).keep(versions)
        #expect(Set(monthly.keys) == [70, 59, 31])  // only three months have versions
    }

    @Test func rulesCombineAndNameWhyEachIsKept() throws {
        let kept = try RetentionRules(keepLast: 1, keepDaily: 2).keep(daily(5))
        #expect(kept[5] == ["last", "daily"] && kept[4] == ["daily"] && kept[3] == nil)
    }

    @Test func catalogTimesParse() {
        #expect(RetentionRules.epochSeconds("2026-01-01T12:00:00.500Z") == 1_767_268_800.5)
        #expect(RetentionRules.epochSeconds("garbage") == nil)
    }

    @Test func badRulesAreRefused() {
        #expect(throws: PyBakError.self) { try RetentionRules(keepLast: 0).validate() }
        #expect(throws: PyBakError.self) { try RetentionRules(keepWithin: "soon").validate() }
    }
}
