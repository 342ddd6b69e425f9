#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The UTC time of a pass, as it appears in output names: `YYYYMMDDTHHMMSSZ`.
public struct PassStamp: Sendable, Hashable, CustomStringConvertible {
    /// Seconds since the Unix epoch.
    public let epochSeconds: Int
    /// The compact form used in output names, e.g. `20261127T035400Z`.
    public let compact: String
    /// The ISO 8601 form used in the catalog and reports, e.g. `2026-11-27T03:54:00Z`.
    public let iso8601: String

    /// The stamp for an instant.
    /// - Parameter epochSeconds: seconds since the Unix epoch.
    public init(epochSeconds: Int) {
        self.epochSeconds = epochSeconds
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        let y = Int(parts.tm_year) + 1900
        let mo = Int(parts.tm_mon) + 1
        let d = Int(parts.tm_mday)
        let h = Int(parts.tm_hour)
        let mi = Int(parts.tm_min)
        let s = Int(parts.tm_sec)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        compact = "\(year)\(two(mo))\(two(d))T\(two(h))\(two(mi))\(two(s))Z"
        iso8601 = "\(year)-\(two(mo))-\(two(d))T\(two(h)):\(two(mi)):\(two(s))Z"
    }

    /// The stamp for the current time.
    public static func now() -> PassStamp {
        PassStamp(epochSeconds: Int(time(nil)))
    }

    public var description: String { compact }
}

/// Wall-clock helpers that do not need Foundation.
public enum WallClock {
    /// Seconds since the Unix epoch with nanosecond precision.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Seconds on a monotonic clock, for durations.
    public static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// ISO 8601 UTC with milliseconds, e.g. `2026-11-27T03:54:00.123Z`.
    public static func iso8601(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        let millis = Int(((seconds - Double(whole)) * 1000).rounded(.down))
        let base = PassStamp(epochSeconds: whole).iso8601.dropLast()
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(base).\(ms)Z"
    }
}
