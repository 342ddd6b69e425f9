import PyBakCore

/// The controller's view of one BackupPolicy, as stored in the catalog's `policies` table, so that the
/// REST sidecar answers `/status` from the database alone (without reading the Kubernetes API).
public struct PolicyState: Sendable, Equatable, Codable {
    /// `namespace/name`, as the worker names the policy in `runs` and `files`.
    public var policy: String
    public var namespace: String
    public var name: String
    /// The object's uid (a policy deleted and created again gets a new one).
    public var uid: String?
    /// `metadata.generation` the state was computed from.
    public var generation: Int64?
    /// The cron expression the CronJob runs on.
    public var schedule: String
    /// Whether runs are suspended (by the spec, or because the spec is invalid).
    public var suspended: Bool
    /// The Ready condition: `True`, `False` or `Unknown`.
    public var ready: String
    /// The Ready condition's reason (e.g. `Scheduled`, `InvalidSpec`, `LastRunFailed`).
    public var reason: String?
    /// The Ready condition's message.
    public var message: String?
    /// The Jobs running now.
    public var activeJobs: [String]
    /// `Running`, `Succeeded`, `Partial` or `Failed`; nil before the first run.
    public var lastRunResult: String?
    /// RFC 3339 times from the status; nil when unknown.
    public var lastScheduleTime: String?
    public var lastSuccessfulTime: String?
    public var nextRunAt: String?
    /// The policy's spec as the controller read it (Secrets appear as references only).
    public var spec: JSONValue
    /// The policy's whole status as the controller wrote it (conditions, last run, totals).
    public var status: JSONValue
    /// When the controller wrote this row (ISO 8601 UTC).
    public var observedAt: String
    /// The controller replica that wrote it.
    public var observedBy: String

    /// Creates a state.
    public init(
        policy: String, namespace: String, name: String, uid: String?, generation: Int64?, schedule: String, suspended: Bool, ready: String,
        reason: String?, message: String?, activeJobs: [String], lastRunResult: String?, lastScheduleTime: String?, lastSuccessfulTime: String?,
        nextRunAt: String?, spec: JSONValue, status: JSONValue, observedAt: String, observedBy: String
    ) {
        self.policy = policy
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.generation = generation
        self.schedule = schedule
        self.suspended = suspended
        self.ready = ready
        self.reason = reason
        self.message = message
        self.activeJobs = activeJobs
        self.lastRunResult = lastRunResult
        self.lastScheduleTime = lastScheduleTime
        self.lastSuccessfulTime = lastSuccessfulTime
        self.nextRunAt = nextRunAt
        self.spec = spec
        self.status = status
        self.observedAt = observedAt
        self.observedBy = observedBy
    }
}

/// What the catalog knows about a policy's runs: the newest run and totals over all of them.
public struct PolicyRunSummary: Sendable, Equatable {
    /// The newest run (by id), nil when there is none.
    public var lastRun: RunRecord?
    /// Runs recorded.
    public var runs: Int64
    /// Files compressed and stored, over all runs.
    public var files: Int64
    /// Bytes read from the sources of those files.
    public var bytesIn: Int64
    /// Bytes of their stored copies.
    public var bytesOut: Int64

    /// Creates a summary.
    public init(lastRun: RunRecord?, runs: Int64, files: Int64, bytesIn: Int64, bytesOut: Int64) {
        self.lastRun = lastRun
        self.runs = runs
        self.files = files
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}

/// The controller's side of the catalog: the observed state of each policy, and the run summary its
/// status shows. Both catalogs implement it (the controller uses PostgreSQL).
public protocol PolicyStateStore: AnyObject {
    /// Inserts or replaces the state of `state.policy`.
    func savePolicyState(_ state: PolicyState) throws
    /// Removes a policy's state (the policy was deleted).
    func removePolicyState(policy: String) throws
    /// Removes the states of policies not in `keep` (all namespaces, or only `namespace`); returns how many.
    func removePolicyStates(except keep: [String], namespace: String?) throws -> Int
    /// Every stored state, by policy.
    func policyStates() throws -> [PolicyState]
    /// The newest run and the totals of a policy, in one round trip.
    func runSummary(policy: String) throws -> PolicyRunSummary
}

/// Row mapping of `policies`, shared by both catalogs.
enum PolicyStateRows {
    static let columns = """
        policy, namespace, name, uid, generation, schedule, suspended, ready, reason, message, active_jobs, last_run_result,
        last_schedule_time, last_success_time, next_run_at, spec, status, observed_at, observed_by
        """

    /// The values in `columns` order (`suspended` as `true`/`false`, JSON as text).
    static func values(_ state: PolicyState) -> [String?] {
        [
            state.policy, state.namespace, state.name, state.uid, state.generation.map { "\($0)" }, state.schedule,
            state.suspended ? "true" : "false", state.ready, state.reason, state.message, JSONText.encode(.array(state.activeJobs.map(JSONValue.string))),
            state.lastRunResult, state.lastScheduleTime, state.lastSuccessfulTime, state.nextRunAt, JSONText.encode(state.spec),
            JSONText.encode(state.status), state.observedAt, state.observedBy,
        ]
    }

    static func state(_ row: some CatalogRow) -> PolicyState {
        let jobs: [String]
        if case .array(let items) = JSONText.decode(row.text(10)) {
            jobs = items.compactMap { if case .string(let name) = $0 { name } else { nil } }
        } else {
            jobs = []
        }
        return PolicyState(
            policy: row.text(0), namespace: row.text(1), name: row.text(2), uid: row.optionalText(3), generation: row.optionalInt(4),
            schedule: row.text(5), suspended: ["t", "true", "1"].contains(row.text(6)), ready: row.text(7), reason: row.optionalText(8),
            message: row.optionalText(9), activeJobs: jobs, lastRunResult: row.optionalText(11), lastScheduleTime: row.optionalText(12),
            lastSuccessfulTime: row.optionalText(13), nextRunAt: row.optionalText(14), spec: JSONText.decode(row.text(15)),
            status: JSONText.decode(row.text(16)), observedAt: row.text(17), observedBy: row.text(18))
    }

    /// A run summary from `runColumns` followed by runs, files, bytes in, bytes out (the run's id NULL when none).
    static func summary(_ row: some CatalogRow) -> PolicyRunSummary {
        let base = Int32(CatalogRows.runColumns.split(separator: ",").count)
        return PolicyRunSummary(
            lastRun: row.optionalInt(0) == nil ? nil : CatalogRows.runRecord(row), runs: row.int(base), files: row.int(base + 1),
            bytesIn: row.int(base + 2), bytesOut: row.int(base + 3))
    }
}
