import Foundation
import KubeClient
import KubeModels
import PyBakCore

/// Rebuilds a BackupPolicy's status from what is observed: the spec's problems, the CronJob, the
/// policy's Jobs and the catalog. Pure: the same observations give the same status.
public struct StatusBuilder: Sendable {
    /// The policy as last read (its previous status keeps transition times and what Jobs no longer show).
    public var policy: BackupPolicy
    /// What is wrong with the spec; empty when valid.
    public var problems: [SpecProblem] = []
    /// Set when a CronJob of the policy's name belongs to something else.
    public var conflict: String?
    /// The CronJob after create-or-update; nil when none was made.
    public var cronJob: CronJob?
    /// The Jobs labelled with the policy's name.
    public var jobs: [Job] = []
    /// The catalog's summary, when the controller has one.
    public var history: RunHistorySummary?
    /// Now.
    public var now: Date

    /// Creates a builder.
    public init(policy: BackupPolicy, now: Date) {
        self.policy = policy
        self.now = now
    }

    /// The status to write.
    public func build() -> BackupPolicyStatus {
        let previous = policy.status ?? BackupPolicyStatus()
        var status = BackupPolicyStatus()
        status.observedGeneration = policy.metadata.generation
        status.totals = history?.totals ?? previous.totals
        status.lastScheduleTime = latest(cronJob?.status?.lastScheduleTime, previous.lastScheduleTime)

        let ordered = jobs.sorted { Self.started($0) > Self.started($1) }
        let active = ordered.filter { Self.result(of: $0) == "Running" }
        status.activeJobs = active.isEmpty ? nil : active.compactMap(\.metadata.name)
        let succeeded = ordered.filter { Self.result(of: $0) == "Succeeded" }.compactMap { $0.status?.completionTime }
        status.lastSuccessfulTime = ([cronJob?.status?.lastSuccessfulTime, previous.lastSuccessfulTime] + succeeded).compactMap { $0 }.max(by: Self.earlier)
        status.lastRun = ordered.first.map(runStatus) ?? previous.lastRun
        if var run = status.lastRun, let catalogRun = history?.lastRun, catalogRun.result != "Running" || run.result == "Running",
            Self.catalogRun(catalogRun, belongsTo: run)
        {
            run.id = catalogRun.id
            run.filesCompressed = catalogRun.filesCompressed
            run.filesDuplicate = catalogRun.filesDuplicate
            run.filesSkipped = catalogRun.filesSkipped
            run.filesFailed = catalogRun.filesFailed
            run.bytesIn = catalogRun.bytesIn
            run.bytesOut = catalogRun.bytesOut
            run.ratio = catalogRun.ratio
            if run.result == "Failed", catalogRun.result == "Partial" { run.result = "Partial" }
            status.lastRun = run
        }

        let suspended = policy.spec.suspend ?? false
        if problems.isEmpty, conflict == nil, !suspended, let schedule = try? CronSchedule(policy.spec.schedule ?? CronJobBuilder.defaultSchedule) {
            status.nextScheduleTime = schedule.next(after: now).map(KubeTime.format)
        }
        status.conditions = conditions(status: status, active: active, finished: ordered.first { ["Succeeded", "Failed"].contains(Self.result(of: $0)) }, previous: previous)
        return status
    }

    private func conditions(status: BackupPolicyStatus, active: [Job], finished: Job?, previous: BackupPolicyStatus) -> [Condition] {
        typealias C = PolicyConditions
        var ready: (Bool, String, String)
        var progressing: (Bool, String, String)
        var degraded: (Bool, String, String)
        if !problems.isEmpty {
            let list = problems.map(\.description).joined(separator: "; ")
            let message = cronJob.map {
                "The spec is invalid: \(list). CronJob \($0.metadata.name ?? "?") is suspended and keeps the last valid spec until the spec is fixed"
            } ?? "The spec is invalid, so no CronJob is made from it: \(list)"
            ready = (false, C.invalidSpec, message)
            progressing = (false, C.invalidSpec, message)
            degraded = (true, C.invalidSpec, message)
        } else if let conflict {
            ready = (false, C.cronJobConflict, conflict)
            progressing = (false, C.cronJobConflict, conflict)
            degraded = (true, C.cronJobConflict, conflict)
        } else {
            let cronName = cronJob?.metadata.name ?? CronJobBuilder.cronJobName(policy: policy.metadata.name ?? "")
            if policy.spec.suspend == true {
                ready = (true, C.suspended, "CronJob \(cronName) is suspended; set spec.suspend to false to resume runs")
            } else {
                let next = status.nextScheduleTime.map { "; next run at \($0)" } ?? ""
                ready = (true, C.scheduled, "CronJob \(cronName) runs on '\(cronJob?.spec.schedule ?? CronJobBuilder.defaultSchedule)'\(next)")
            }
            progressing = active.isEmpty
                ? (false, C.idle, "No run is in progress")
                : (true, C.jobRunning, "Running: " + active.compactMap(\.metadata.name).joined(separator: ", "))
            if let finished, Self.result(of: finished) == "Failed" {
                let why = Self.failure(of: finished).map { ": \($0)" } ?? ""
                let reason = status.lastSuccessfulTime == nil ? C.neverSucceeded : C.lastRunFailed
                let message = "Job \(finished.metadata.name ?? "?") failed\(why); see kubectl logs job/\(finished.metadata.name ?? "?")"
                degraded = (true, reason, message)
                ready = (false, reason, message)
            } else if let finished {
                degraded = (false, C.lastRunSucceeded, "Job \(finished.metadata.name ?? "?") succeeded")
            } else {
                degraded = (false, C.noRunsYet, "No run has finished yet")
            }
        }
        let generation = policy.metadata.generation
        return [(C.ready, ready), (C.progressing, progressing), (C.degraded, degraded)].map { type, value in
            let text = value.0 ? "True" : "False"
            let old = previous.conditions?.first { $0.type == type }
            let since = old?.status == text ? old!.lastTransitionTime : KubeTime.format(now)
            return Condition(type: type, status: text, observedGeneration: generation, lastTransitionTime: since, reason: value.1, message: value.2)
        }
    }

    private func runStatus(_ job: Job) -> RunStatus {
        var run = RunStatus()
        run.jobName = job.metadata.name
        run.trigger = job.metadata.annotations?["cronjob.kubernetes.io/instantiate"] == "manual" ? "manual" : "schedule"
        run.result = Self.result(of: job)
        run.message = Self.failure(of: job)
        run.startTime = job.status?.startTime
        run.completionTime = job.status?.completionTime
        if let start = job.status?.startTime.flatMap(KubeTime.parse), let end = job.status?.completionTime.flatMap(KubeTime.parse) {
            run.duration = DurationText.format(max(0, end.timeIntervalSince(start)))
        }
        return run
    }

    /// Whether the catalog's newest run can be the Job's: it did not start before the Job (a minute of clock
    /// skew allowed). A Job that failed before its worker started a run keeps the counts empty instead of
    /// showing an older run's.
    static func catalogRun(_ catalogRun: RunStatus, belongsTo run: RunStatus) -> Bool {
        guard let jobStart = run.startTime.flatMap(KubeTime.parse), let runStart = catalogRun.startTime.flatMap(KubeTime.parse) else { return true }
        return runStart >= jobStart.addingTimeInterval(-60)
    }

    /// `Succeeded`, `Failed` or `Running` from a Job's conditions.
    static func result(of job: Job) -> String {
        let conditions = job.status?.conditions ?? []
        if conditions.contains(where: { $0.type == "Complete" && $0.status == "True" }) { return "Succeeded" }
        if conditions.contains(where: { $0.type == "Failed" && $0.status == "True" }) { return "Failed" }
        return "Running"
    }

    static func failure(of job: Job) -> String? {
        guard let condition = job.status?.conditions?.first(where: { $0.type == "Failed" && $0.status == "True" }) else { return nil }
        return [condition.reason, condition.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    }

    static func started(_ job: Job) -> String {
        job.status?.startTime ?? job.metadata.creationTimestamp ?? ""
    }

    private static func earlier(_ a: String, _ b: String) -> Bool {
        (KubeTime.parse(a) ?? .distantPast) < (KubeTime.parse(b) ?? .distantPast)
    }

    private func latest(_ a: String?, _ b: String?) -> String? {
        [a, b].compactMap { $0 }.max(by: Self.earlier)
    }
}
