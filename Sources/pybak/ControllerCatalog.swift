import Archive
import Catalog
import Controller
import Dispatch
import Foundation
import KubeModels
import Logging
import PyBakCore

/// The controller's PostgreSQL catalog: the run summary each status shows (`RunHistory`) and the observed
/// state of each policy written to `policies` (`PolicyStateSink`) for the REST sidecar's `/status`.
///
/// libpq blocks, so the one connection lives on its own serial queue; it is opened (and migrated) on first
/// use and opened again after a failure. A state equal to the one last written is not written again, so an
/// idle controller makes no database writes.
final class ControllerCatalog: RunHistory, PolicyStateSink, @unchecked Sendable {
    private let target: DatabaseTarget
    private let identity: String
    private let queue = DispatchQueue(label: "pybak.controller.catalog")
    // Touched only on `queue`.
    private var catalog: PostgresCatalog?
    /// SHA-256 of the state last written per policy (its JSON without `observedAt`): a digest, not the state,
    /// so a thousand policies cost 32 bytes each here rather than their spec and status trees.
    private var written: [String: [UInt8]] = [:]

    /// Creates the adapter; nothing connects until the first call.
    init(target: DatabaseTarget, identity: String) {
        self.target = target
        self.identity = identity
    }

    func summary(policy: String) async throws -> RunHistorySummary? {
        let summary = try await onQueue { try $0.runSummary(policy: policy) }
        guard let last = summary.lastRun else { return nil }
        let ratio = summary.bytesOut > 0 ? Self.rounded(Double(summary.bytesIn) / Double(summary.bytesOut)) : nil
        return RunHistorySummary(
            lastRun: Self.runStatus(last),
            totals: RunTotals(runs: summary.runs, files: summary.files, bytesIn: summary.bytesIn, bytesOut: summary.bytesOut, ratio: ratio))
    }

    func record(_ policy: BackupPolicy, status: BackupPolicyStatus) async throws {
        let state = try Self.state(policy, status: status, identity: identity)
        var unstamped = state
        unstamped.observedAt = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let digest = SHA256Hasher.digest(of: [UInt8](try encoder.encode(unstamped)))
        try await onQueue { catalog in
            if self.written[state.policy] == digest { return }
            try catalog.savePolicyState(state)
            self.written[state.policy] = digest
        }
    }

    func forget(_ key: PolicyKey) async throws {
        try await onQueue { catalog in
            try catalog.removePolicyState(policy: key.description)
            self.written[key.description] = nil
        }
    }

    func retainOnly(_ keys: Set<PolicyKey>, namespace: String?) async throws -> Int {
        let keep = keys.map(\.description)
        return try await onQueue { catalog in
            let removed = try catalog.removePolicyStates(except: keep, namespace: namespace)
            let kept = Set(keep)
            self.written = self.written.filter { kept.contains($0.key) }
            return removed
        }
    }

    // MARK: mapping

    /// `status.lastRun` from a catalog row: counts, bytes and ratio (two decimals).
    static func runStatus(_ run: RunRecord) -> KubeModels.RunStatus {
        var status = KubeModels.RunStatus()
        status.id = run.id
        status.trigger = run.trigger.rawValue
        status.result = run.status.rawValue.prefix(1).uppercased() + run.status.rawValue.dropFirst()
        status.message = run.error
        status.startTime = run.startedAt
        status.completionTime = run.finishedAt
        status.filesCompressed = Int64(run.counts.compressed)
        status.filesDuplicate = Int64(run.counts.duplicate)
        status.filesSkipped = Int64(run.counts.skipped)
        status.filesFailed = Int64(run.counts.failed)
        status.bytesIn = run.counts.bytesIn
        status.bytesOut = run.counts.bytesOut
        status.ratio = run.counts.ratio.map(rounded)
        return status
    }

    /// The row of `policies` for a policy and the status the controller computed.
    static func state(_ policy: BackupPolicy, status: BackupPolicyStatus, identity: String) throws -> PolicyState {
        let namespace = policy.metadata.namespace ?? ""
        let name = policy.metadata.name ?? ""
        let ready = status.conditions?.first { $0.type == PolicyConditions.ready }
        return PolicyState(
            policy: "\(namespace)/\(name)", namespace: namespace, name: name, uid: policy.metadata.uid, generation: policy.metadata.generation,
            schedule: policy.spec.schedule ?? CronJobBuilder.defaultSchedule,
            suspended: policy.spec.suspend == true || ready?.reason == PolicyConditions.invalidSpec,
            ready: ready?.status ?? "Unknown", reason: ready?.reason, message: ready?.message, activeJobs: status.activeJobs ?? [],
            lastRunResult: status.lastRun?.result, lastScheduleTime: status.lastScheduleTime, lastSuccessfulTime: status.lastSuccessfulTime,
            nextRunAt: status.nextScheduleTime, spec: try json(policy.spec), status: try json(status),
            observedAt: WallClock.iso8601(WallClock.now()), observedBy: identity)
    }

    private static func json<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    // MARK: the connection

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (PostgresCatalog) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.withCatalog(body) }) }
        }
    }

    private func withCatalog<T>(_ body: (PostgresCatalog) throws -> T) throws -> T {
        let catalog = try self.catalog ?? {
            let opened = try PostgresCatalog(target: target)
            try opened.migrate()
            return opened
        }()
        self.catalog = catalog
        do {
            return try body(catalog)
        } catch {
            self.catalog = nil  // the connection may be what failed: open it again next time
            throw error
        }
    }
}
