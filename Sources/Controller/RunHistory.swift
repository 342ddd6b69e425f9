import KubeModels

/// What the catalog knows about a policy's runs: the last run's counts and the totals.
/// Implemented over the PostgreSQL catalog; absent when the controller has no database.
public protocol RunHistory: Sendable {
    /// The latest run and the totals of a policy (`namespace/name`), or nil when it has none.
    func summary(policy: String) async throws -> RunHistorySummary?
}

/// The catalog's view of a policy.
public struct RunHistorySummary: Sendable, Equatable {
    /// The latest run, with counts, bytes and ratio filled.
    public var lastRun: RunStatus
    /// Everything stored so far.
    public var totals: RunTotals

    /// Creates a summary.
    public init(lastRun: RunStatus, totals: RunTotals) {
        self.lastRun = lastRun
        self.totals = totals
    }
}
