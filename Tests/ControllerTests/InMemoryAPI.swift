import Foundation
import KubeClient
import KubeModels

@testable import Controller

/// An in-memory API server for the reconciler: resourceVersions, 409 on stale writes, failures on demand.
actor InMemoryAPI: ControllerAPI {
    var policies: [String: BackupPolicy] = [:]
    var cronJobs: [String: CronJob] = [:]
    var jobList: [Job] = []
    var events: [Event] = []
    var calls: [String] = []
    var failNext: [String: ControllerAPIError] = [:]
    private var version = 100

    private func bump() -> String {
        version += 7
        return "\(version)"
    }

    private func check(_ call: String) throws {
        calls.append(call)
        if let error = failNext.removeValue(forKey: call) { throw error }
    }

    func put(_ policy: BackupPolicy) {
        var policy = policy
        policy.metadata.resourceVersion = bump()
        policies["\(policy.metadata.namespace!)/\(policy.metadata.name!)"] = policy
    }

    func fail(_ call: String, with error: ControllerAPIError) { failNext[call] = error }
    func setJobs(_ jobs: [Job]) { jobList = jobs }
    func remove(_ key: PolicyKey) { policies[key.description] = nil }
    func setCronJob(_ cron: CronJob) { cronJobs["\(cron.metadata.namespace!)/\(cron.metadata.name!)"] = cron }
    func writes() -> [String] { calls.filter { ["create", "update", "updateStatus"].contains($0) } }

    func policy(namespace: String, name: String) async throws -> BackupPolicy? {
        try check("getPolicy")
        return policies["\(namespace)/\(name)"]
    }

    func cronJob(namespace: String, name: String) async throws -> CronJob? {
        try check("getCronJob")
        return cronJobs["\(namespace)/\(name)"]
    }

    func create(_ cronJob: CronJob) async throws -> CronJob {
        try check("create")
        let key = "\(cronJob.metadata.namespace!)/\(cronJob.metadata.name!)"
        guard cronJobs[key] == nil else { throw ControllerAPIError(.alreadyExists, code: 409, "exists") }
        var stored = cronJob
        stored.metadata.resourceVersion = bump()
        stored.metadata.uid = UUID().uuidString
        cronJobs[key] = stored
        return stored
    }

    func update(_ cronJob: CronJob) async throws -> CronJob {
        try check("update")
        let key = "\(cronJob.metadata.namespace!)/\(cronJob.metadata.name!)"
        guard let current = cronJobs[key] else { throw ControllerAPIError(.notFound, code: 404, "gone") }
        guard current.metadata.resourceVersion == cronJob.metadata.resourceVersion else { throw ControllerAPIError(.conflict, code: 409, "stale") }
        var stored = cronJob
        stored.metadata.resourceVersion = bump()
        stored.status = current.status
        cronJobs[key] = stored
        return stored
    }

    func jobs(namespace: String, policy: String) async throws -> [Job] {
        try check("jobs")
        return jobList.filter { $0.metadata.labels?[CronJobBuilder.policyLabel] == policy }
    }

    func updateStatus(_ policy: BackupPolicy) async throws -> BackupPolicy {
        try check("updateStatus")
        let key = "\(policy.metadata.namespace!)/\(policy.metadata.name!)"
        guard var current = policies[key] else { throw ControllerAPIError(.notFound, code: 404, "gone") }
        guard current.metadata.resourceVersion == policy.metadata.resourceVersion else { throw ControllerAPIError(.conflict, code: 409, "stale") }
        current.status = policy.status
        current.metadata.resourceVersion = bump()
        policies[key] = current
        return current
    }

    func record(_ event: Event) async throws {
        try check("record")
        events.append(event)
    }
}

/// A catalog double.
struct FixedHistory: RunHistory {
    var value: RunHistorySummary?
    func summary(policy: String) async throws -> RunHistorySummary? { value }
}
