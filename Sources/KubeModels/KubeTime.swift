import Foundation

/// Kubernetes time text: `Time` (RFC 3339, seconds, `Z`) and `MicroTime` (six fraction digits).
public enum KubeTime {
    /// `2026-01-01T00:00:00Z`.
    public static func format(_ date: Date) -> String {
        let seconds = floor(date.timeIntervalSince1970)
        return Date(timeIntervalSince1970: seconds).formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
            .replacingOccurrences(of: "+0000", with: "Z")
    }

    /// `2026-01-01T00:00:00.000000Z`.
    public static func micro(_ date: Date) -> String {
        let seconds = floor(date.timeIntervalSince1970)
        let micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded(.down))
        let base = format(Date(timeIntervalSince1970: seconds)).dropLast()
        return "\(base).\(String(format: "%06d", min(micros, 999_999)))Z"
    }

    /// Parses `Time` or `MicroTime` text (`Z` or a numeric offset); nil when it is neither.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        // Fractional seconds: parse the whole seconds, then add the fraction.
        guard let dot = text.firstIndex(of: ".") else { return nil }
        let afterDot = text[text.index(after: dot)...]
        let digits = afterDot.prefix(while: { $0.isNumber })
        let zone = afterDot.dropFirst(digits.count)
        guard !digits.isEmpty, let whole = try? Date(String(text[..<dot]) + zone, strategy: .iso8601) else { return nil }
        let fraction = Double("0." + digits) ?? 0
        return whole.addingTimeInterval(fraction)
    }
}
