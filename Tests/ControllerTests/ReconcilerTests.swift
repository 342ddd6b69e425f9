import Foundation
import KubeClient
import KubeModels
import Logging
import Testing

@testable import Controller

@Suite struct ReconcilerTests {
    static let key = PolicyKey(namespace: "finance", name: "invoices")
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-18T...

    static func reconciler(_ api: InMemoryAPI, history: (any RunHistory)? = nil) -> Reconciler {
        Reconciler(api: api, worker: Fixtures.worker, history: history, identity: "pod-a", now: { now }, logger: Logger(label: "test"))
    }

    @Test func missingPolicyIsDone() async throws {
        let api = InMemoryAPI()
        #expect(try await Self.reconciler(api).reconcile(Self.key) == .done)
        #expect(await api.writes().isEmpty)
    }

    @Test func createsTheCronJobThenIsIdempotent() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        let reconciler = Self.reconciler(api)
        #expect(try await reconciler.reconcile(Self.key) == .done)
        #expect(await api.writes() == ["create", "updateStatus"])
        let cron = try #require(await api.cronJobs["finance/invoices"])
        #expect(cron.metadata.ownerReferences?.first?.uid == "uid-1")
        let status = try #require(await api.policies["finance/invoices"]?.status)
        #expect(status.observedGeneration == 1)
        #expect(status.conditions?.first { $0.type == "Ready" }?.reason == "Scheduled")
        #expect(status.conditions?.first { $0.type == "Degraded" }?.reason == "NoRunsYet")
        #expect(status.nextScheduleTime != nil)
        #expect(await api.events.map(\.reason) == ["CronJobCreated"])

        // Level-based: a second pass over the same state writes nothing.
        #expect(try await reconciler.reconcile(Self.key) == .done)
        #expect(await api.writes() == ["create", "updateStatus"])
    }

    @Test func aSpecChangeUpdatesTheCronJob() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        _ = try await Self.reconciler(api).reconcile(Self.key)
        var changed = try #require(await api.policies["finance/invoices"])
        changed.spec.suspend = true
        changed.metadata.generation = 2
        await api.put(changed)
        _ = try await Self.reconciler(api).reconcile(Self.key)
        #expect(await api.cronJobs["finance/invoices"]?.spec.suspend == true)
        #expect(await api.events.map(\.reason) == ["CronJobCreated", "CronJobUpdated"])
        let status = try #require(await api.policies["finance/invoices"]?.status)
        #expect(status.observedGeneration == 2)
        #expect(status.nextScheduleTime == nil)
        #expect(status.conditions?.first { $0.type == "Ready" }?.reason == "Suspended")
    }

    @Test func invalidSpecGetsConditionAndEventAndNoCronJob() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy("schedule: 'every day'"))
        _ = try await Self.reconciler(api).reconcile(Self.key)
        #expect(await api.cronJobs.isEmpty)
        let ready = try #require(await api.policies["finance/invoices"]?.status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.status == "False")
        #expect(ready.reason == "InvalidSpec")
        #expect(ready.message.contains("spec.schedule"))
        let events = await api.events
        #expect(events.map(\.reason) == ["InvalidSpec"])
        #expect(events.first?.type == "Warning")
        // Not repeated while nothing changes.
        _ = try await Self.reconciler(api).reconcile(Self.key)
        #expect(await api.events.count == 1)
    }

    @Test func failedRunMakesItDegradedWithTheReason() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        await api.setJobs([Fixtures.job("invoices-1", start: "2026-11-18T10:00:00Z", end: "2026-11-18T10:00:09Z", result: "Failed", message: "Job has reached the specified backoff limit")])
        _ = try await Self.reconciler(api).reconcile(Self.key)
        let status = try #require(await api.policies["finance/invoices"]?.status)
        let degraded = try #require(status.conditions?.first { $0.type == "Degraded" })
        #expect(degraded.status == "True")
        #expect(degraded.reason == "NeverSucceeded")
        #expect(degraded.message.contains("invoices-1"))
        #expect(status.lastRun?.result == "Failed")
        #expect(await api.events.map(\.reason).contains("NeverSucceeded"))

        // After a success, a later failure is LastRunFailed.
        await api.setJobs([
            Fixtures.job("invoices-2", start: "2026-11-18T10:02:00Z", end: "2026-11-18T10:02:04Z", result: "Complete"),
            Fixtures.job("invoices-3", start: "2026-11-18T10:04:00Z", end: "2026-11-18T10:04:05Z", result: "Failed"),
        ])
        _ = try await Self.reconciler(api).reconcile(Self.key)
        let later = try #require(await api.policies["finance/invoices"]?.status)
        #expect(later.conditions?.first { $0.type == "Degraded" }?.reason == "LastRunFailed")
        #expect(later.lastSuccessfulTime == "2026-11-18T10:02:04Z")
    }

    @Test func successAndCatalogCountsShowInStatus() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        await api.setJobs([
            Fixtures.job("invoices-2", start: "2026-11-18T10:02:00Z", end: "2026-11-18T10:02:04Z", result: "Complete"),
            Fixtures.job("invoices-3", start: "2026-11-18T10:04:00Z"),
        ])
        var run = RunStatus()
        run.id = 42
        run.result = "Succeeded"
        run.filesCompressed = 12
        run.bytesIn = 4300
        run.bytesOut = 1000
        run.ratio = 4.3
        let history = FixedHistory(value: RunHistorySummary(lastRun: run, totals: RunTotals(runs: 5, files: 60, bytesIn: 10, bytesOut: 5)))
        _ = try await Self.reconciler(api, history: history).reconcile(Self.key)
        let status = try #require(await api.policies["finance/invoices"]?.status)
        #expect(status.activeJobs == ["invoices-3"])
        #expect(status.conditions?.first { $0.type == "Progressing" }?.status == "True")
        #expect(status.lastSuccessfulTime == "2026-11-18T10:02:04Z")
        #expect(status.totals?.files == 60)
        #expect(status.lastRun?.jobName == "invoices-3")
        #expect(status.lastRun?.result == "Running")
    }

    @Test func conflictRequeuesShortly() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        await api.fail("updateStatus", with: ControllerAPIError(.conflict, code: 409, "stale"))
        #expect(try await Self.reconciler(api).reconcile(Self.key) == .requeue(after: Reconciler.conflictRequeue))
    }

    @Test func otherErrorsAreThrownForBackoff() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        await api.fail("create", with: ControllerAPIError(.unavailable, code: 503, "busy"))
        await #expect(throws: ControllerAPIError.self) { try await Self.reconciler(api).reconcile(Self.key) }
    }

    @Test func aCronJobOwnedBySomethingElseIsLeftAlone() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        var foreign = try CronJobBuilder.desiredCronJob(for: try Fixtures.policy(uid: "other"), worker: Fixtures.worker)
        foreign.metadata.resourceVersion = "5"
        await api.setCronJob(foreign)
        _ = try await Self.reconciler(api).reconcile(Self.key)
        #expect(await api.writes() == ["updateStatus"])
        #expect(await api.policies["finance/invoices"]?.status?.conditions?.first { $0.type == "Degraded" }?.reason == "CronJobConflict")
    }

    @Test func transitionTimesStayWhenStatusDoesNotFlip() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        _ = try await Self.reconciler(api).reconcile(Self.key)
        let first = try #require(await api.policies["finance/invoices"]?.status?.conditions)
        let later = Reconciler(api: api, worker: Fixtures.worker, identity: "pod-a", now: { Self.now.addingTimeInterval(600) }, logger: Logger(label: "t"))
        _ = try await later.reconcile(Self.key)
        let second = try #require(await api.policies["finance/invoices"]?.status?.conditions)
        #expect(first.map(\.lastTransitionTime) == second.map(\.lastTransitionTime))
    }
}
