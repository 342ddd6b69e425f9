import Foundation
import KubeClient
import KubeModels
import Logging

/// Level-based reconciler: reads the policy, makes its CronJob match the desired one, and rebuilds the
/// status from what it observes. Running it twice in a row changes nothing the second time.
public struct Reconciler: Sendable {
    let api: any ControllerAPI
    let worker: WorkerTemplate
    let history: (any RunHistory)?
    let states: (any PolicyStateSink)?
    let metrics: ReconcileMetrics?
    let identity: String
    let now: @Sendable () -> Date
    let logger: Logger

    /// Seconds before a key is looked at again after a 409 Conflict.
    public static let conflictRequeue = 1.0
    /// Seconds before a key is looked at again when its observed state could not be written to the catalog.
    public static let stateRequeue = 30.0

    /// Creates a reconciler.
    /// - Parameters:
    ///   - api: the Kubernetes calls.
    ///   - worker: how worker Pods are made.
    ///   - history: the catalog's run summaries, when the controller has a database.
    ///   - states: where the observed state of each policy is written, when the controller has a database.
    ///   - metrics: reconcile counters for `/metrics`.
    ///   - identity: this replica's name, on Events.
    ///   - now: the clock.
    public init(
        api: any ControllerAPI, worker: WorkerTemplate, history: (any RunHistory)? = nil, states: (any PolicyStateSink)? = nil,
        metrics: ReconcileMetrics? = nil, identity: String, now: @escaping @Sendable () -> Date = Date.init, logger: Logger
    ) {
        self.api = api
        self.worker = worker
        self.history = history
        self.states = states
        self.metrics = metrics
        self.identity = identity
        self.now = now
        self.logger = logger
    }

    /// Reconciles one policy.
    /// - Returns: `.done`, or `.requeue(after:)` after a conflict or when the catalog could not be written.
    /// - Throws: other API failures, for the queue's per-key backoff.
    public func reconcile(_ key: PolicyKey) async throws -> Outcome {
        let started = ContinuousClock.now
        func observe(_ result: ReconcileMetrics.Result) {
            let elapsed = (ContinuousClock.now - started).components
            metrics?.observe(result, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        }
        do {
            let (outcome, change) = try await reconcileOnce(key)
            observe(ReconcileMetrics.Result(rawValue: change.rawValue) ?? .unchanged)
            return outcome
        } catch let error as ControllerAPIError where error.kind == .conflict {
            observe(.error)
            logger.debug("conflict; looking again", metadata: ["policy": "\(key)", "reason": "\(error.message)"])
            return .requeue(after: Self.conflictRequeue)
        } catch {
            observe(.error)
            if let error = error as? ControllerAPIError, [.invalid, .forbidden].contains(error.kind),
                let policy = try? await api.policy(namespace: key.namespace, name: key.name)
            {
                // Not transient: say so where the user looks (kubectl describe); the queue still retries with backoff.
                await event(policy, reason: "ReconcileFailed", type: "Warning", action: "Reconcile", note: "Reconcile failed: \(error)", cronJob: nil)
            }
            throw error
        }
    }

    private func reconcileOnce(_ key: PolicyKey) async throws -> (Outcome, ChangeKind) {
        guard let policy = try await api.policy(namespace: key.namespace, name: key.name) else {
            await forget(key)
            return (.done, .unchanged)
        }
        if policy.metadata.deletionTimestamp != nil { return (.done, .unchanged) }  // the CronJob goes with it (owner reference)
        var builder = StatusBuilder(policy: policy, now: now())
        builder.problems = PolicyValidation.problems(of: policy.spec, name: key.name)
        let previous = policy.status
        var change = ChangeKind.unchanged

        if builder.problems.isEmpty {
            let desired = try CronJobBuilder.desiredCronJob(for: policy, worker: worker)
            let name = desired.metadata.name ?? key.name
            if let observed = try await api.cronJob(namespace: key.namespace, name: name) {
                if !Self.controls(policy, observed) {
                    builder.conflict = "CronJob \(name) exists and is not controlled by this policy; delete or rename it"
                    builder.cronJob = observed
                } else if let updated = try CronJobComparison.update(observed: observed, desired: desired) {
                    builder.cronJob = try await api.update(updated)
                    change = .updated
                    log(.updated, key)
                    await event(policy, reason: "CronJobUpdated", type: "Normal", action: "Update", note: "Updated CronJob \(name) to match the spec", cronJob: name)
                } else {
                    builder.cronJob = observed
                }
            } else {
                builder.cronJob = try await api.create(desired)
                change = .created
                log(.created, key)
                await event(policy, reason: "CronJobCreated", type: "Normal", action: "Create", note: "Created CronJob \(name) (schedule '\(desired.spec.schedule)')", cronJob: name)
            }
        } else {
            change = try await suspendForInvalidSpec(policy, key: key, builder: &builder)
        }
        builder.jobs = try await api.jobs(namespace: key.namespace, policy: key.name)
        if let history {
            do {
                builder.history = try await history.summary(policy: key.description)
            } catch {
                logger.warning("cannot read the catalog; status keeps its last counts", metadata: ["policy": "\(key)", "reason": "\(error)"])
            }
        }
        let status = builder.build()
        await announceChanges(policy, old: previous, new: status)
        if status != previous {
            var written = policy
            written.status = status
            _ = try await api.updateStatus(written)
        }
        if let states {
            do {
                try await states.record(policy, status: status)
            } catch {
                logger.warning("cannot write the observed state to the catalog; trying again later", metadata: [
                    "policy": "\(key)", "retry.delaySeconds": "\(Self.stateRequeue)", "reason": "\(error)",
                ])
                return (.requeue(after: Self.stateRequeue), change)
            }
        }
        return (.done, change)
    }

    /// An invalid spec after a valid one: the CronJob made from the last valid spec is kept (with its Jobs and
    /// history) but suspended, so nothing runs a spec the user has replaced; fixing the spec resumes it.
    private func suspendForInvalidSpec(_ policy: BackupPolicy, key: PolicyKey, builder: inout StatusBuilder) async throws -> ChangeKind {
        let name = CronJobBuilder.cronJobName(policy: key.name)
        guard let observed = try await api.cronJob(namespace: key.namespace, name: name), Self.controls(policy, observed) else { return .unchanged }
        builder.cronJob = observed
        guard observed.spec.suspend != true else { return .unchanged }
        var suspended = observed
        suspended.spec.suspend = true
        suspended.status = nil
        builder.cronJob = try await api.update(suspended)
        log(.updated, key)
        await event(
            policy, reason: "CronJobSuspended", type: "Warning", action: "Suspend",
            note: "Suspended CronJob \(name) because the spec is invalid; it keeps the last valid spec and resumes once the spec is fixed", cronJob: name)
        return .updated
    }

    private static func controls(_ policy: BackupPolicy, _ cronJob: CronJob) -> Bool {
        cronJob.metadata.ownerReferences?.contains { $0.uid == policy.metadata.uid && $0.controller == true } ?? false
    }

    private func forget(_ key: PolicyKey) async {
        guard let states else { return }
        do {
            try await states.forget(key)
        } catch {
            logger.warning("cannot remove a deleted policy's state from the catalog", metadata: ["policy": "\(key)", "reason": "\(error)"])
        }
    }

    /// Events for what became true since the last status: an invalid spec, a failed run.
    private func announceChanges(_ policy: BackupPolicy, old: BackupPolicyStatus?, new: BackupPolicyStatus) async {
        let oldDegraded = old?.conditions?.first { $0.type == PolicyConditions.degraded }
        guard let degraded = new.conditions?.first(where: { $0.type == PolicyConditions.degraded }), degraded.status == "True" else { return }
        let newRun = new.lastRun?.jobName != old?.lastRun?.jobName || new.lastRun?.result != old?.lastRun?.result
        if oldDegraded?.status != "True" || oldDegraded?.reason != degraded.reason || oldDegraded?.message != degraded.message || (newRun && new.lastRun?.result == "Failed") {
            await event(policy, reason: degraded.reason, type: "Warning", action: "Reconcile", note: degraded.message, cronJob: nil)
        }
    }

    private func log(_ change: ChangeKind, _ key: PolicyKey) {
        logger.info("cronjob reconciled", metadata: ["policy": "\(key)", "cronjob.change": "\(change.rawValue)"])
    }

    private func event(_ policy: BackupPolicy, reason: String, type: String, action: String, note: String, cronJob: String?) async {
        let name = policy.metadata.name ?? "policy"
        let namespace = policy.metadata.namespace ?? "default"
        let time = now()
        let suffix = String(UInt64(time.timeIntervalSince1970 * 1_000_000_000), radix: 16)
        let event = Event(
            metadata: ObjectMeta(name: "\(name).\(suffix)", namespace: namespace), eventTime: KubeTime.micro(time),
            reportingController: "pybak.io/controller", reportingInstance: identity, action: action, reason: reason, type: type,
            note: String(note.prefix(1024)),
            regarding: ObjectReference(apiVersion: BackupPolicy.apiVersion, kind: BackupPolicy.kind, name: name, namespace: namespace, uid: policy.metadata.uid),
            related: cronJob.map { ObjectReference(apiVersion: CronJob.apiVersion, kind: CronJob.kind, name: $0, namespace: namespace) })
        do {
            try await api.record(event)
        } catch {
            logger.warning("cannot record an event", metadata: ["policy": "\(namespace)/\(name)", "event.reason": "\(reason)", "reason": "\(error)"])
        }
    }
}
