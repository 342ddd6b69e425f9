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

    @Test func anInvalidSpecAfterAValidOneSuspendsTheCronJobUntilFixed() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        let metrics = ReconcileMetrics()
        let reconciler = Reconciler(api: api, worker: Fixtures.worker, metrics: metrics, identity: "pod-a", now: { Self.now }, logger: Logger(label: "t"))
        _ = try await reconciler.reconcile(Self.key)
        let original = try #require(await api.cronJobs["finance/invoices"])
        await api.put(try Fixtures.policy("schedule: '75 * * * *'", generation: 2))
        _ = try await reconciler.reconcile(Self.key)
        let suspended = try #require(await api.cronJobs["finance/invoices"])
        #expect(suspended.spec.suspend == true)
        #expect(suspended.spec.schedule == original.spec.schedule)  // the last valid spec is kept
        let ready = try #require(await api.policies["finance/invoices"]?.status?.conditions?.first { $0.type == "Ready" })
        #expect(ready.reason == "InvalidSpec" && ready.message.contains("spec.schedule") && ready.message.contains("suspended"))
        #expect(await api.events.map(\.reason) == ["CronJobCreated", "CronJobSuspended", "InvalidSpec"])
        #expect(await api.policies["finance/invoices"]?.status?.nextScheduleTime == nil)

        // Fixed: the CronJob takes the new spec and runs again.
        await api.put(try Fixtures.policy("schedule: '*/5 * * * *'", generation: 3))
        _ = try await reconciler.reconcile(Self.key)
        let resumed = try #require(await api.cronJobs["finance/invoices"])
        #expect(resumed.spec.suspend == false && resumed.spec.schedule == "*/5 * * * *")
        #expect(await api.policies["finance/invoices"]?.status?.conditions?.first { $0.type == "Ready" }?.reason == "Scheduled")
        #expect(metrics.snapshot.results == [.created: 1, .updated: 2])
    }

    @Test func theObservedStateGoesToTheSinkAndAFailedWriteComesBack() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        let sink = RecordingSink()
        let reconciler = Reconciler(api: api, worker: Fixtures.worker, states: sink, identity: "pod-a", now: { Self.now }, logger: Logger(label: "t"))
        #expect(try await reconciler.reconcile(Self.key) == .done)
        let recorded = try #require(await sink.recorded.last)
        #expect(recorded.0 == "finance/invoices" && recorded.1.conditions?.first { $0.type == "Ready" }?.reason == "Scheduled")
        await sink.fail(true)
        #expect(try await reconciler.reconcile(Self.key) == .requeue(after: Reconciler.stateRequeue))
        await sink.fail(false)
        await api.remove(Self.key)
        #expect(try await reconciler.reconcile(Self.key) == .done)
        #expect(await sink.forgotten == [Self.key])
    }

    @Test func aCatalogRunOlderThanTheJobIsNotShownAsItsCounts() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        await api.setJobs([Fixtures.job("invoices-9", start: "2026-11-18T10:10:00Z", end: "2026-11-18T10:10:01Z", result: "Failed")])
        var run = RunStatus()
        run.result = "Succeeded"
        run.startTime = "2026-11-18T10:02:00.250Z"
        run.filesCompressed = 12
        let history = FixedHistory(value: RunHistorySummary(lastRun: run, totals: RunTotals(runs: 1, files: 12)))
        _ = try await Self.reconciler(api, history: history).reconcile(Self.key)
        let status = try #require(await api.policies["finance/invoices"]?.status)
        #expect(status.lastRun?.result == "Failed" && status.lastRun?.filesCompressed == nil)
        #expect(status.totals?.files == 12)
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
        #expect(status.conditions?.first { $0.type == "Progressing" }?.reason == "JobRunning")
        #expect(status.lastSuccessfulTime == "2026-11-18T10:02:04Z")
        #expect(status.totals?.files == 60)
        #expect(status.lastRun?.jobName == "invoices-3")
        #expect(status.lastRun?.result == "Running")
    }

    @Test func theCronJobsLastScheduleTimeReachesTheStatusAndIdleIsNotProgressing() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        _ = try await Self.reconciler(api).reconcile(Self.key)
        let idle = try #require(await api.policies["finance/invoices"]?.status)
        #expect(idle.lastScheduleTime == nil)
        #expect(idle.conditions?.first { $0.type == "Progressing" }.map { [$0.status, $0.reason] } == ["False", "Idle"])
        var cron = try #require(await api.cronJobs["finance/invoices"])
        cron.status = CronJobStatus(lastScheduleTime: "2026-11-18T10:06:00Z")
        await api.setCronJob(cron)
        _ = try await Self.reconciler(api).reconcile(Self.key)
        #expect(await api.policies["finance/invoices"]?.status?.lastScheduleTime == "2026-11-18T10:06:00Z")
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

    @Test func aForbiddenWriteIsAnEventBecauseRetryingAloneWillNotFixIt() async throws {
        let api = InMemoryAPI()
        await api.put(try Fixtures.policy())
        await api.fail("create", with: ControllerAPIError(.forbidden, code: 403, "cannot create resource cronjobs"))
        await #expect(throws: ControllerAPIError.self) { try await Self.reconciler(api).reconcile(Self.key) }
        let events = await api.events
        #expect(events.map(\.reason) == ["ReconcileFailed"] && events[0].type == "Warning" && events[0].note?.contains("cronjobs") == true)
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

/// A `PolicyStateSink` that remembers what it was given.
actor RecordingSink: PolicyStateSink {
    var recorded: [(String, BackupPolicyStatus)] = []
    var forgotten: [PolicyKey] = []
    private var failing = false

    func fail(_ value: Bool) { failing = value }

    func record(_ policy: BackupPolicy, status: BackupPolicyStatus) async throws {
        if failing { throw ControllerAPIError(.unavailable, "catalog down") }
        recorded.append(("\(policy.metadata.namespace ?? "")/\(policy.metadata.name ?? "")", status))
    }

    func forget(_ key: PolicyKey) async throws { forgotten.append(key) }

    func retainOnly(_ keys: Set<PolicyKey>, namespace: String?) async throws -> Int { 0 }
}
