import KubeClient

/// `status` of a `BackupPolicy`, rebuilt by the controller from the Jobs it observes and the catalog.
public struct BackupPolicyStatus: Codable, Sendable, Equatable {
    /// The `metadata.generation` this status was computed from.
    public var observedGeneration: Int64?
    /// `Ready`, `Progressing`, `Degraded`.
    public var conditions: [Condition]?
    /// When the CronJob last started a Job (RFC 3339).
    public var lastScheduleTime: String?
    /// When a run last succeeded (RFC 3339).
    public var lastSuccessfulTime: String?
    /// When the next scheduled run starts (RFC 3339); absent while suspended.
    public var nextScheduleTime: String?
    /// Names of the Jobs running now.
    public var activeJobs: [String]?
    /// The most recent run.
    public var lastRun: RunStatus?
    /// Everything this policy has stored (from the catalog).
    public var totals: RunTotals?

    /// An empty status.
    public init() {}
}

/// `status.lastRun`: one run, as seen on its Job and in the catalog.
public struct RunStatus: Codable, Sendable, Equatable {
    /// The run's id in the catalog.
    public var id: Int64?
    /// The Job that ran it.
    public var jobName: String?
    /// `schedule`, `manual` or `api`.
    public var trigger: String?
    /// `Running`, `Succeeded`, `Partial` or `Failed`.
    public var result: String?
    /// Why it failed, when it did.
    public var message: String?
    /// RFC 3339.
    public var startTime: String?
    /// RFC 3339.
    public var completionTime: String?
    /// Like `3.2s` or `1m4s`.
    public var duration: String?
    public var filesCompressed: Int64?
    public var filesDuplicate: Int64?
    public var filesSkipped: Int64?
    public var filesFailed: Int64?
    public var bytesIn: Int64?
    public var bytesOut: Int64?
    /// bytesIn / bytesOut.
    public var ratio: Double?

    /// An empty run.
    public init() {}
}

/// `status.totals`.
public struct RunTotals: Codable, Sendable, Equatable {
    public var runs: Int64?
    public var files: Int64?
    public var bytesIn: Int64?
    public var bytesOut: Int64?
    /// bytesIn / bytesOut over every stored file; absent before the first.
    public var ratio: Double?

    /// Creates totals.
    public init(runs: Int64? = nil, files: Int64? = nil, bytesIn: Int64? = nil, bytesOut: Int64? = nil, ratio: Double? = nil) {
        self.runs = runs
        self.files = files
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.ratio = ratio
    }
}
