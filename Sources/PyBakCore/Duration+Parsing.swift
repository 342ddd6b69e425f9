/// Parses and prints Go-style durations such as `10s`, `2m`, `1h30m`, `720h`, `500ms`, `7d`.
public enum DurationText {
    /// Parses a duration.
    /// - Parameter text: digits followed by a unit (`ms`, `s`, `m`, `h`, `d`), repeated; `0` alone is allowed.
    /// - Returns: the duration in seconds.
    /// - Throws: `PyBakError.config` naming the text when it is not a duration.
    public static func seconds(_ text: String, field: String) throws -> Double {
        let trimmed = text.trimmed(" \t")
        if trimmed == "0" { return 0 }
        var total = 0.0
        var index = trimmed.startIndex
        var sawPart = false
        while index < trimmed.endIndex {
            var number = ""
            while index < trimmed.endIndex, trimmed[index].isNumber || trimmed[index] == "." {
                number.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            var unit = ""
            while index < trimmed.endIndex, trimmed[index].isLetter {
                unit.append(trimmed[index])
                index = trimmed.index(after: index)
            }
            guard let value = Double(number), value >= 0, let scale = unitSeconds[unit] else {
                throw PyBakError(.config, "\(field): '\(text)' is not a duration; write it like 10s, 2m, 1h30m or 7d")
            }
            total += value * scale
            sawPart = true
        }
        guard sawPart else {
            throw PyBakError(.config, "\(field): empty duration; write it like 10s, 2m, 1h30m or 7d")
        }
        return total
    }

    /// Formats seconds the way `seconds(_:field:)` reads them (`1h2m3s`, `1.5s`).
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 {
            return "\(Int((seconds * 1000).rounded()))ms"
        }
        if seconds < 60 {
            let rounded = (seconds * 10).rounded() / 10
            return rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
        }
        var rest = Int(seconds.rounded())
        let hours = rest / 3600
        rest %= 3600
        let minutes = rest / 60
        let secs = rest % 60
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if secs > 0 || text.isEmpty { text += "\(secs)s" }
        return text
    }

    private static let unitSeconds: [String: Double] = [
        "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400,
    ]
}
