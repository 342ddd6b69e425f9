import Catalog
import Foundation
import Hummingbird
import PyBakCore

extension APIServer {
    /// `/status`: passes running now (with progress when this process runs them) and, per policy,
    /// the last run, its result, the next scheduled time and today's totals (UTC day); in a cluster, also what
    /// the controller last observed (schedule, conditions, active Jobs, last and next run), from the catalog's
    /// `policies` table, so the sidecar needs no access to the Kubernetes API.
    func addStatusRoutes(to router: Router<APIRequestContext>) {
        router.get("/status") { _, _ -> StatusBody in
            let now = Date().timeIntervalSince1970
            let midnight = WallClock.iso8601((now / 86400).rounded(.down) * 86400)
            let live = await statusSource?.liveStatus() ?? []
            let (names, running, lastRuns, today, observed) = try await catalog.read { catalog in
                let names = try catalog.policyNames()
                let running = try catalog.runs(RunQuery(status: .running, limit: 100))
                var lastRuns: [String: RunRecord] = [:]
                var today: [String: DayTotals] = [:]
                for name in names {
                    lastRuns[name] = try catalog.lastRun(policy: name)
                    var totals = DayTotals()
                    for run in try catalog.runs(RunQuery(policy: name, since: midnight, limit: 10_000)) { totals.add(run) }
                    today[name] = totals
                }
                let observed = try (catalog as? any PolicyStateStore)?.policyStates() ?? []
                return (names, running, lastRuns, today, observed)
            }
            let observedByName = Dictionary(observed.map { ($0.policy, $0) }, uniquingKeysWith: { first, _ in first })
            let liveByName = Dictionary(live.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let allNames = Set(names).union(live.map(\.name)).union(observedByName.keys).sorted()
            let policies = allNames.map { name in
                PolicyStatus(
                    name: name, lastRun: lastRuns[name], nextRunAt: liveByName[name]?.nextRunAt ?? observedByName[name]?.nextRunAt,
                    running: liveByName[name]?.progress != nil || running.contains { $0.policy == name } || !(observedByName[name]?.activeJobs.isEmpty ?? true),
                    today: today[name] ?? DayTotals(), controller: observedByName[name]
                )
            }
            let active = running.map { run in
                ActiveRun(run: run, progress: liveByName[run.policy]?.progress.flatMap { $0.runId == run.id ? $0 : nil })
            }
            return StatusBody(generatedAt: WallClock.iso8601(now), active: active, policies: policies)
        }
    }
}

/// The answer of `/status`.
struct StatusBody: ResponseEncodable {
    var generatedAt: String
    var active: [ActiveRun]
    var policies: [PolicyStatus]
}

/// A run the catalog shows as running, with live progress when known.
struct ActiveRun: Codable, Sendable {
    var run: RunRecord
    var progress: LiveProgress?
}

/// One policy's line on the status page.
struct PolicyStatus: Codable, Sendable {
    var name: String
    var lastRun: RunRecord?
    var nextRunAt: String?
    var running: Bool
    var today: DayTotals
    /// What the controller last observed of this BackupPolicy (cluster only).
    var controller: PolicyState?
}

/// What a policy's runs did since UTC midnight.
struct DayTotals: Codable, Sendable {
    var runs = 0
    var filesCompressed = 0
    var filesDuplicate = 0
    var filesFailed = 0
    var bytesIn: Int64 = 0
    var bytesOut: Int64 = 0

    mutating func add(_ run: RunRecord) {
        runs += 1
        filesCompressed += run.counts.compressed
        filesDuplicate += run.counts.duplicate
        filesFailed += run.counts.failed
        bytesIn += run.counts.bytesIn
        bytesOut += run.counts.bytesOut
    }
}
