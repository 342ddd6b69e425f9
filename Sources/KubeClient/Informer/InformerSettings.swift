import Transport

/// How an informer watches and how patiently it reconnects.
public struct InformerSettings: Sendable {
    /// `timeoutSeconds` of each watch; the informer then resumes from the last resource version.
    public var watchTimeoutSeconds: Int
    /// Page size of the (re)list.
    public var pageSize: Int
    /// Delay before the first reconnect after a failure, in seconds; doubles per consecutive failure, with jitter.
    public var backoffBase: Double
    /// The largest delay between reconnects, in seconds.
    public var backoffCap: Double
    /// A watch that ends sooner than this without delivering anything counts as a failure (no hot loop).
    public var minimumHealthyWatch: Double

    /// Creates settings.
    public init(watchTimeoutSeconds: Int = 300, pageSize: Int = 500, backoffBase: Double = 0.5, backoffCap: Double = 30, minimumHealthyWatch: Double = 5) {
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.pageSize = pageSize
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.minimumHealthyWatch = minimumHealthyWatch
    }

    /// The delay before the next attempt after `failures` consecutive failures (capped exponential, full jitter
    /// floored at half; a server `Retry-After` wins up to the cap).
    public func delay(afterFailures failures: Int, retryAfter: Double?, random: Double) -> Double {
        RetryPolicy(maxAttempts: Int.max, baseDelay: backoffBase, maxDelay: backoffCap).delay(afterAttempt: max(1, failures), retryAfter: retryAfter, random: random)
    }
}
