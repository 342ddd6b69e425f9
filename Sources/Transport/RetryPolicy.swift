import Foundation

/// How often and how patiently a request is repeated after a retryable failure
/// (network fault, timeout, 408, 429, 5xx): exponential backoff with full jitter, honouring `Retry-After`.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included; 1 means no retry.
    public var maxAttempts: Int
    /// The delay ceiling before the first retry, in seconds; it doubles per attempt.
    public var baseDelay: Double
    /// The largest delay between attempts, in seconds (a longer `Retry-After` is capped to it).
    public var maxDelay: Double

    /// Creates a policy.
    public init(maxAttempts: Int, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// One attempt, no retry: for requests that must not be repeated blindly.
    public static let none = RetryPolicy(maxAttempts: 1)
    /// The default for idempotent requests to object stores and APIs: 5 attempts, 0.5 s doubling to 30 s.
    public static let standard = RetryPolicy(maxAttempts: 5)

    /// The delay before attempt `attempt + 1` (attempt counts from 1), given the server's `Retry-After`.
    /// - Parameters:
    ///   - attempt: the attempt that just failed, from 1.
    ///   - retryAfter: seconds the server asked for, if any.
    ///   - random: a number in 0..<1 (injected so tests are repeatable).
    public func delay(afterAttempt attempt: Int, retryAfter: Double?, random: Double) -> Double {
        if let retryAfter, retryAfter >= 0 { return min(retryAfter, maxDelay) }
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(attempt - 1, 30)))
        // Full jitter, floored at half the ceiling so a retry never comes back at once.
        return ceiling * (0.5 + 0.5 * random)
    }

    /// Parses a `Retry-After` value: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    /// - Parameters:
    ///   - value: the header value.
    ///   - now: the current time, seconds since the epoch.
    /// - Returns: seconds to wait, or nil when the value is not understood.
    public static func parseRetryAfter(_ value: String, now: Double) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let when = formatter.date(from: trimmed) else { return nil }
        return max(0, when.timeIntervalSince1970 - now)
    }
}
