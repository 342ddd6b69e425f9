import Synchronization

/// A flag a signal handler raises to end a pass early: workers finish the file in
/// flight, the committer commits what is done, and nothing is left half-done.
public final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// A lowered flag.
    public init() {}

    /// Asks the pass to stop after the files in flight.
    public func raise() { raised.store(true, ordering: .relaxed) }

    /// Whether a stop was asked for.
    public var isRaised: Bool { raised.load(ordering: .relaxed) }
}
