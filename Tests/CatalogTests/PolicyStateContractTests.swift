import Foundation
import PyBakCore
import Testing

@testable import Catalog

/// The controller's side of the catalog (`policies` and the run summary), on SQLite and a real PostgreSQL server.
@Suite struct PolicyStateContractTests {
    func store(_ backend: CatalogBackend) throws -> any Catalog & PolicyStateStore {
        try #require(try backend.open() as? any Catalog & PolicyStateStore)
    }

    func state(_ policy: String, ready: String = "True", jobs: [String] = []) -> PolicyState {
        let parts = policy.split(separator: "/").map(String.init)
        return PolicyState(
            policy: policy, namespace: parts[0], name: parts[1], uid: "u-\(parts[1])", generation: 3, schedule: "*/2 * * * *", suspended: false,
            ready: ready, reason: "Scheduled", message: "CronJob \(parts[1]) runs — ünïcode", activeJobs: jobs, lastRunResult: "Succeeded",
            lastScheduleTime: "2026-01-01T00:00:00Z", lastSuccessfulTime: "2026-01-01T00:00:05Z", nextRunAt: "2026-01-01T00:02:00Z",
            spec: .object(["schedule": .string("*/2 * * * *"), "workers": .number(2)]),
            status: .object(["observedGeneration": .number(3), "conditions": .array([.object(["type": .string("Ready")])])]),
            observedAt: "2026-01-01T00:00:06Z", observedBy: "replica-a")
    }

    @Test(arguments: CatalogBackend.allCases) func statesAreUpsertedReadAndPruned(backend: CatalogBackend) throws {
        let catalog = try store(backend)
        try catalog.savePolicyState(state("a/one"))
        try catalog.savePolicyState(state("b/two", jobs: ["two-1"]))
        var changed = state("a/one", ready: "False", jobs: ["one-7", "one-8"])
        changed.suspended = true
        changed.nextRunAt = nil
        try catalog.savePolicyState(changed)
        #expect(try catalog.policyStates() == [changed, state("b/two", jobs: ["two-1"])])

        #expect(try catalog.removePolicyStates(except: ["b/two"], namespace: "b") == 0)
        #expect(try catalog.removePolicyStates(except: ["b/two"], namespace: nil) == 1)
        #expect(try catalog.policyStates().map(\.policy) == ["b/two"])
        try catalog.removePolicyState(policy: "b/two")
        #expect(try catalog.policyStates().isEmpty)
    }

    @Test(arguments: CatalogBackend.allCases) func runSummaryHasTheNewestRunAndTotals(backend: CatalogBackend) throws {
        let catalog = try store(backend)
        #expect(try catalog.runSummary(policy: "ns/p") == PolicyRunSummary(lastRun: nil, runs: 0, files: 0, bytesIn: 0, bytesOut: 0))
        for (index, compressed) in [4, 0, 2].enumerated() {
            let id = try catalog.startRun(policy: "ns/p", trigger: .schedule, passStamp: "S\(index)", startedAt: "2026-01-01T00:0\(index):00Z", host: "h")
            var counts = RunCounts()
            counts.compressed = compressed
            counts.bytesIn = Int64(compressed * 1000)
            counts.bytesOut = Int64(compressed * 250)
            try catalog.finishRun(id: id, status: .succeeded, counts: counts, finishedAt: "2026-01-01T00:0\(index):01Z", error: nil)
        }
        _ = try catalog.startRun(policy: "ns/other", trigger: .schedule, passStamp: "X", startedAt: "2026-01-01T00:09:00Z", host: "h")
        let summary = try catalog.runSummary(policy: "ns/p")
        #expect(summary.runs == 3 && summary.files == 6 && summary.bytesIn == 6000 && summary.bytesOut == 1500)
        #expect(summary.lastRun?.passStamp == "S2" && summary.lastRun?.counts.compressed == 2 && summary.lastRun?.status == .succeeded)
    }
}
