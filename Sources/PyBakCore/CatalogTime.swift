#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses the times users give to `--at`, `--since` and `--until` into the catalog's text form
/// (`2026-11-27T03:54:00.123Z`), so they compare as strings with `created_at`.
public enum CatalogTime {
    /// Parses a time.
    /// - Parameters:
    ///   - text: `2026-11-27`, `2026-11-27T03:54`, `2026-11-27 03:54:00`, `…Z`, a pass stamp
    ///     `20261127T035400Z`, or a duration ago (`90m`, `24h`, `7d`). Times are UTC.
    ///   - field: names the flag in errors.
    ///   - inclusiveEnd: true for an upper bound: the whole last second counts (`.999`).
    ///   - now: the current time (seconds since the epoch).
    /// - Throws: `PyBakError.usage` naming the flag and the accepted forms.
    public static func parse(_ text: String, field: String, inclusiveEnd: Bool, now: Double = WallClock.now()) throws -> String {
        let trimmed = text.trimmed(" ")
        let fraction = inclusiveEnd ? ".999Z" : ".000Z"
        if let last = trimmed.last, last.isLetter, last != "Z", let ago = try? DurationText.seconds(trimmed, field: field) {
            return String(WallClock.iso8601((now - ago).rounded(.down)).dropLast(5)) + fraction
        }
        let digits = Array(trimmed.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= digits.count else { return nil }
            var value = 0
            for i in range {
                guard digits[i] >= 48 && digits[i] <= 57 else { return nil }
                value = value * 10 + Int(digits[i] - 48)
            }
            return value
        }
        var parts: (y: Int, mo: Int, d: Int, h: Int, mi: Int, s: Int)?
        if digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z"),
            let y = number(0..<4), let mo = number(4..<6), let d = number(6..<8), let h = number(9..<11), let mi = number(11..<13), let s = number(13..<15)
        {
            parts = (y, mo, d, h, mi, s)
        } else if digits.count >= 10, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"),
            let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10)
        {
            var rest = Array(digits[10...])
            if rest.last == UInt8(ascii: "Z") { rest.removeLast() }
            if rest.isEmpty {
                parts = (y, mo, d, 0, 0, 0)
            } else if rest.count == 6 || rest.count == 9, rest[0] == UInt8(ascii: "T") || rest[0] == UInt8(ascii: " "), rest[3] == UInt8(ascii: ":"),
                let h = number(11..<13), let mi = number(14..<16)
            {
                let s = rest.count == 9 && rest[6] == UInt8(ascii: ":") ? number(17..<19) : (rest.count == 6 ? 0 : nil)
                if let s { parts = (y, mo, d, h, mi, s) }
            }
        }
        guard let p = parts, (1...12).contains(p.mo), (1...31).contains(p.d), (0...23).contains(p.h), (0...59).contains(p.mi), (0...60).contains(p.s)
        else {
            throw PyBakError(
                .usage,
                "\(field) '\(text)' is not a time; write 2026-11-27, 2026-11-27T03:54:00Z, a pass stamp like 20261127T035400Z, or a duration ago like 24h (UTC)")
        }
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(p.y, 4))-\(pad(p.mo, 2))-\(pad(p.d, 2))T\(pad(p.h, 2)):\(pad(p.mi, 2)):\(pad(p.s, 2))\(fraction)"
    }
}
