#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `spec.retention` and the `prune` flags: which versions of each source path to keep, with
/// restic's `forget` semantics. Versions outside every rule are removed by `pybak prune`.
public struct RetentionRules: Codable, Sendable, Equatable {
    /// The newest N versions.
    public var keepLast: Int?
    /// Every version catalogued within this duration (`720h`, `30d`) of the newest one.
    public var keepWithin: String?
    /// The newest version of each of the last N days (UTC) that have versions.
    public var keepDaily: Int?
    /// The newest version of each of the last N ISO weeks that have versions.
    public var keepWeekly: Int?
    /// The newest version of each of the last N months that have versions.
    public var keepMonthly: Int?

    /// No rule.
    public init(keepLast: Int? = nil, keepWithin: String? = nil, keepDaily: Int? = nil, keepWeekly: Int? = nil, keepMonthly: Int? = nil) {
        self.keepLast = keepLast
        self.keepWithin = keepWithin
        self.keepDaily = keepDaily
        self.keepWeekly = keepWeekly
        self.keepMonthly = keepMonthly
    }

    /// Whether no rule is set (prune would keep nothing, so it refuses).
    public var isEmpty: Bool { keepLast == nil && keepWithin == nil && keepDaily == nil && keepWeekly == nil && keepMonthly == nil }

    /// Flags over the policy's rules, field by field.
    public func overridden(by flags: RetentionRules) -> RetentionRules {
        RetentionRules(
            keepLast: flags.keepLast ?? keepLast, keepWithin: flags.keepWithin ?? keepWithin, keepDaily: flags.keepDaily ?? keepDaily,
            keepWeekly: flags.keepWeekly ?? keepWeekly, keepMonthly: flags.keepMonthly ?? keepMonthly)
    }

    /// Checks the numbers and the duration.
    /// - Throws: `PyBakError.config` naming the field.
    public func validate() throws {
        for (name, value) in [("keepLast", keepLast), ("keepDaily", keepDaily), ("keepWeekly", keepWeekly), ("keepMonthly", keepMonthly)] {
            if let value, value < 1 { throw PyBakError(.config, "retention \(name) \(value) must be at least 1") }
        }
        if let keepWithin { _ = try DurationText.seconds(keepWithin, field: "retention keepWithin") }
    }

    /// Decides which versions of one source path to keep.
    /// - Parameter versions: (id, catalogued time in seconds since the epoch), in any order.
    /// - Returns: the kept ids with the rules that keep each (`last`, `within`, `daily`, `weekly`, `monthly`).
    public func keep(_ versions: [(id: Int64, time: Double)]) throws -> [Int64: [String]] {
        let ordered = versions.sorted { ($0.time, $0.id) > ($1.time, $1.id) }
        var kept: [Int64: [String]] = [:]
        guard let newest = ordered.first else { return kept }
        if let keepLast {
            for version in ordered.prefix(keepLast) { kept[version.id, default: []].append("last") }
        }
        if let keepWithin {
            let span = try DurationText.seconds(keepWithin, field: "retention keepWithin")
            for version in ordered where version.time >= newest.time - span { kept[version.id, default: []].append("within") }
        }
        for (rule, count, format) in [("daily", keepDaily, "%Y-%m-%d"), ("weekly", keepWeekly, "%G-W%V"), ("monthly", keepMonthly, "%Y-%m")] {
            guard var remaining = count else { continue }
            var lastBucket: String?
            for version in ordered where remaining > 0 {
                let bucket = Self.bucket(version.time, format: format)
                if bucket != lastBucket {
                    kept[version.id, default: []].append(rule)
                    lastBucket = bucket
                    remaining -= 1
                }
            }
        }
        return kept
    }

    static func bucket(_ seconds: Double, format: String) -> String {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Seconds since the epoch of a catalog time (`2026-11-27T03:54:00.123Z`); nil when malformed.
    public static func epochSeconds(_ text: String) -> Double? {
        let d = Array(text.utf8)
        guard d.count >= 20 else { return nil }
        func n(_ r: Range<Int>) -> Int32? {
            var v: Int32 = 0
            for i in r {
                guard d[i] >= 48 && d[i] <= 57 else { return nil }
                v = v * 10 + Int32(d[i] - 48)
            }
            return v
        }
        guard let y = n(0..<4), let mo = n(5..<7), let day = n(8..<10), let h = n(11..<13), let mi = n(14..<16), let s = n(17..<19) else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = mo - 1
        parts.tm_mday = day
        parts.tm_hour = h
        parts.tm_min = mi
        parts.tm_sec = s
        let millis = d.count >= 23 && d[19] == UInt8(ascii: ".") ? Double(n(20..<23) ?? 0) / 1000 : 0
        return Double(timegm(&parts)) + millis
    }
}
