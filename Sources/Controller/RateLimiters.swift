/// Per-key exponential backoff: `base * 2^failures`, capped (client-go's default: 5 ms doubling to 1000 s).
public struct ExponentialBackoff: Sendable {
    public var base: Double
    public var cap: Double
    private var failures: [PolicyKey: Int] = [:]

    /// Creates a backoff.
    public init(base: Double = 0.005, cap: Double = 1000) {
        self.base = base
        self.cap = cap
    }

    /// The delay before retrying `key` after one more failure.
    public mutating func next(_ key: PolicyKey) -> Double {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        guard count < 64 else { return cap }
        return min(cap, base * Double(1 << min(count, 62)))
    }

    /// Failures recorded for `key`.
    public func failureCount(_ key: PolicyKey) -> Int { failures[key, default: 0] }

    /// Clears `key` after a success.
    public mutating func forget(_ key: PolicyKey) { failures[key] = nil }
}

/// A token bucket shared by all keys (client-go's default: 10 per second, burst 100).
public struct TokenBucket: Sendable {
    public var rate: Double
    public var burst: Double
    private var tokens: Double
    private var last: Double?

    /// Creates a full bucket.
    public init(rate: Double = 10, burst: Double = 100) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
    }

    /// Takes a token at time `now` and returns how long to wait until it is due (0 when one was free).
    public mutating func reserve(now: Double) -> Double {
        if let last { tokens = min(burst, tokens + (now - last) * rate) }
        last = now
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate
    }
}
