/// The controller's work queue (client-go's semantics): a key waits at most once, a key is never handed
/// to two workers at once (a key added while it is processed is handed out again after `done`), and
/// failed keys come back after a per-key exponential backoff combined with a global token bucket.
public actor WorkQueue {
    private let clock: any ControllerClock
    private var order: [PolicyKey] = []
    private var dirty: Set<PolicyKey> = []
    private var processing: Set<PolicyKey> = []
    private var waiting: [PolicyKey: Double] = [:]
    private var waiters: [CheckedContinuation<PolicyKey?, Never>] = []
    private var backoff: ExponentialBackoff
    private var bucket: TokenBucket
    private var shuttingDown = false

    /// Creates a queue.
    /// - Parameters:
    ///   - clock: time for delayed adds.
    ///   - backoff: per-key backoff (default 5 ms doubling to 1000 s).
    ///   - bucket: the global limit (default 10 per second, burst 100).
    public init(clock: any ControllerClock = SystemClock(), backoff: ExponentialBackoff = ExponentialBackoff(), bucket: TokenBucket = TokenBucket()) {
        self.clock = clock
        self.backoff = backoff
        self.bucket = bucket
    }

    /// Queues a key unless it already waits.
    public func add(_ key: PolicyKey) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        dirty.insert(key)
        if processing.contains(key) { return }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            waiter.resume(returning: key)
        } else {
            order.append(key)
        }
    }

    /// Queues a key after a delay; an earlier pending delay for the key wins.
    public func add(_ key: PolicyKey, after seconds: Double) {
        guard !shuttingDown else { return }
        guard seconds > 0 else { return add(key) }
        let deadline = clock.now() + seconds
        if let pending = waiting[key], pending <= deadline { return }
        waiting[key] = deadline
        let clock = self.clock
        Task { [weak self] in
            try? await clock.sleep(seconds: seconds)
            await self?.fire(key, deadline: deadline)
        }
    }

    private func fire(_ key: PolicyKey, deadline: Double) {
        guard waiting[key] == deadline else { return }
        waiting[key] = nil
        add(key)
    }

    /// Queues a key after its backoff (per key, doubling with each failure) and the global bucket.
    /// - Parameter atLeast: a delay the server asked for (`Retry-After`), honoured when longer.
    /// - Returns: the delay chosen.
    @discardableResult
    public func addRateLimited(_ key: PolicyKey, atLeast: Double = 0) -> Double {
        let perKey = backoff.next(key)
        let global = bucket.reserve(now: clock.now())
        let delay = max(perKey, global, atLeast)
        add(key, after: delay)
        return delay
    }

    /// Clears a key's failures after it reconciled cleanly.
    public func forget(_ key: PolicyKey) {
        backoff.forget(key)
    }

    /// Failures recorded for a key.
    public func failures(_ key: PolicyKey) -> Int { backoff.failureCount(key) }

    /// The next key to process; waits for one. Nil once the queue is shut down.
    public func next() async -> PolicyKey? {
        if !order.isEmpty {
            let key = order.removeFirst()
            dirty.remove(key)
            processing.insert(key)
            return key
        }
        if shuttingDown { return nil }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Marks a key processed; if it was added meanwhile it is queued again.
    public func done(_ key: PolicyKey) {
        processing.remove(key)
        if dirty.contains(key) {
            dirty.remove(key)
            add(key)
        }
    }

    /// Stops handing out keys: waiting workers get nil.
    public func shutDown() {
        shuttingDown = true
        order.removeAll()
        let all = waiters
        waiters.removeAll()
        for waiter in all { waiter.resume(returning: nil) }
    }

    /// Keys waiting to be processed now.
    public var depth: Int { order.count }
    /// Workers waiting in `next()`.
    public var waitingWorkers: Int { waiters.count }
    /// Keys being processed now.
    public var inFlight: Int { processing.count }
}
