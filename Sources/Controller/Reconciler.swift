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
    let identity: String
    let now: @Sendable () -> Date
    let logger: Logger

    /// Seconds before a key is looked at again after a 409 Conflict.
    public static let conflictRequeue = 1.0

    /// Creates a reconciler.
    /// - Parameters:
    ///   - api: the Kubernetes calls.
    ///   - worker: how worker Pods are made.
    ///   - history: the catalog, when the controller has one.
    ///   - identity: this replica's name, on Events.
    ///   - now: the clock.
    public init(api: any ControllerAPI, worker: WorkerTemplate, history: (any RunHistory)? = nil, identity: String, now: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        self.api = api
        self.worker = worker
        self.history = history
        self.identity = identity
        self.now = now
        self.logger = logger
    }

    /// Reconciles one policy.
    /// - Returns: `.done`, or `.requeue(after:)` after a conflict.
    /// - Throws: other API failures, for the queue's per-key backoff.
    public func reconcile(_ key: PolicyKey) async throws -> Outcome {
        do {
            return try await reconcileOnce(key)
        } catch let error as ControllerAPIError where error.kind == .conflict {
            logger.debug("conflict; looking again", metadata: ["policy": "\(key)", "reason": "\(error.message)"])
            return .requeue(after: Self.conflictRequeue)
        }
    }

    private func reconcileOnce(_ key: PolicyKey) async throws -> Outcome {
        guard let policy = try await api.policy(namespace: key.namespace, name: key.name) else { return .done }
        if policy.metadata.deletionTimestamp != nil { return .done }  // the CronJob goes with it (owner reference)
        var builder = StatusBuilder(policy: policy, now: now())
        builder.problems = PolicyValidation.problems(of: policy.spec, name: key.name)
        let previous = policy.status

        if builder.problems.isEmpty {
            let desired = try CronJobBuilder.desiredCronJob(for: policy, worker: worker)
            let name = desired.metadata.name ?? key.name
            if let observed = try await api.cronJob(namespace: key.namespace, name: name) {
                let owned = observed.metadata.ownerReferences?.contains { $0.uid == policy.metadata.uid && $0.controller == true } ?? false
                if !owned {
                    builder.conflict = "CronJob \(name) exists and is not controlled by this policy; delete or rename it"
                    builder.cronJob = observed
                } else if let updated = try CronJobComparison.update(observed: observed, desired: desired) {
                    builder.cronJob = try await api.update(updated)
                    log(.updated, key)
                    await event(policy, reason: "CronJobUpdated", type: "Normal", action: "Update", note: "Updated CronJob \(name) to match the spec", cronJob: name)
                } else {
                    builder.cronJob = observed
                }
            } else {
                builder.cronJob = try await api.create(desired)
                log(.created, key)
                await event(policy, reason: "CronJobCreated", type: "Normal", action: "Create", note: "Created CronJob \(name) (schedule '\(desired.spec.schedule)')", cronJob: name)
            }
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
        return .done
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
