/// What a reconcile asks of the work queue.
public enum Outcome: Sendable, Equatable {
    /// Nothing more until something changes.
    case done
    /// Look again after this many seconds (without counting as a failure).
    case requeue(after: Double)
}
