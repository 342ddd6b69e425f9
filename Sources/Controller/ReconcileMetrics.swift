import Synchronization

/// Counters of the reconciler for `/metrics`: reconciles by result and a duration histogram.
public final class ReconcileMetrics: Sendable {
    /// What one reconcile did.
    public enum Result: String, Sendable, CaseIterable {
        /// The CronJob was created.
        case created
        /// The CronJob was changed (spec change, suspension of an invalid spec).
        case updated
        /// Nothing to change (the status may still have been written).
        case unchanged
        /// A call failed (retried with backoff) or a write conflicted (looked at again).
        case error
    }

    /// Histogram bucket upper bounds, seconds.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// A consistent copy of the counters.
    public struct Snapshot: Sendable, Equatable {
        public var results: [Result: Int] = [:]
        /// Cumulative counts per bucket of `ReconcileMetrics.buckets` (observations <= bound).
        public var bucketCounts: [Int] = Array(repeating: 0, count: ReconcileMetrics.buckets.count)
        public var count = 0
        public var sum = 0.0

        /// All zero.
        public init() {}
    }

    private let state = Mutex(Snapshot())

    /// Creates empty counters.
    public init() {}

    /// Records one reconcile.
    public func observe(_ result: Result, seconds: Double) {
        state.withLock { snapshot in
            snapshot.results[result, default: 0] += 1
            snapshot.count += 1
            snapshot.sum += seconds
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound {
                snapshot.bucketCounts[index] += 1
            }
        }
    }

    /// The counters now.
    public var snapshot: Snapshot { state.withLock { $0 } }
}
