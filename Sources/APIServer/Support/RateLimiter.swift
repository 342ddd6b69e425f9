import Foundation

/// A token bucket per caller: `burst` requests at once, `perMinute` on average.
actor RateLimiter {
    private var buckets: [String: (tokens: Double, updated: Double)] = [:]
    private let burst: Double
    private let perSecond: Double

    init(burst: Int, perMinute: Double) {
        self.burst = Double(max(1, burst))
        self.perSecond = max(0.001, perMinute / 60)
    }

    /// Takes a token for the caller.
    /// - Returns: nil when allowed, else the seconds until a token is available.
    func take(subject: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        var bucket = buckets[subject] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * perSecond)
        bucket.updated = now
        defer { buckets[subject] = bucket }
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            return nil
        }
        if buckets.count > 10_000 { buckets = buckets.filter { $0.value.tokens < burst } }
        return (1 - bucket.tokens) / perSecond
    }
}
