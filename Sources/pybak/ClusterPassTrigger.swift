import APIServer
import Controller
import KubeClient
import KubeModels
import Logging
import PyBakCore

/// `POST /compress` in a cluster (`pybak serve --kubernetes`): creates a Job from each policy's CronJob,
/// as `kubectl create job --from=cronjob/NAME` does, annotated with who asked, why and the Idempotency-Key.
///
/// API calls: list CronJobs made by the controller, get and list that policy's Jobs, create the Job.
struct ClusterPassTrigger: PassTrigger {
    let api: KubeAPI
    /// Only policies in this namespace; `KubeAPI.allNamespaces` for all.
    let namespace: String
    let locks: PolicyLocks
    let logger: Logger

    static let managedBy = "app.kubernetes.io/managed-by=pybak-controller"

    init(api: KubeAPI, namespace: String, logger: Logger) {
        self.api = api
        self.namespace = namespace
        self.locks = PolicyLocks()
        self.logger = logger
    }

    func trigger(_ request: TriggerRequest) async throws -> TriggerOutcome {
        let cronJobs = try await managedCronJobs()
        let manual = ManualJobBuilder.Request(requestedBy: request.requestedBy, reason: request.reason, idempotencyKey: request.idempotencyKey)
        guard let wanted = request.policy else {
            // Every policy that is not suspended and not running now; the others are listed with why.
            var started: [TriggeredRun] = []
            var skipped: [SkippedPolicy] = []
            for policy in cronJobs.sorted(by: { $0.key < $1.key }) {
                if policy.isSuspended {
                    skipped.append(SkippedPolicy(policy: policy.key, reason: .suspended))
                    continue
                }
                do {
                    started.append(try await start(policy, request: manual))
                } catch TriggerError.alreadyRunning {
                    skipped.append(SkippedPolicy(policy: policy.key, reason: .running))
                }
            }
            if started.isEmpty {
                if skipped.isEmpty { throw TriggerError.unknownPolicy("(all)", known: []) }
                throw TriggerError.nothingToStart(skipped)
            }
            return TriggerOutcome(runs: started, skipped: skipped)
        }
        return TriggerOutcome(runs: [try await start(try Self.resolve(wanted, among: cronJobs), request: manual)])
    }

    /// Picks the policy a request names: `namespace/name`, or a bare name found in exactly one namespace.
    static func resolve(_ wanted: String, among cronJobs: [PolicyCronJob]) throws -> PolicyCronJob {
        let known = cronJobs.map(\.key).sorted()
        if wanted.contains("/") {
            guard let found = cronJobs.first(where: { $0.key == wanted }) else { throw TriggerError.unknownPolicy(wanted, known: known) }
            return found
        }
        let matches = cronJobs.filter { $0.policy == wanted }
        switch matches.count {
        case 0: throw TriggerError.unknownPolicy(wanted, known: known)
        case 1: return matches[0]
        default:
            throw TriggerError.invalid(
                "policy '\(wanted)' exists in several namespaces (\(matches.map(\.key).sorted().joined(separator: ", "))); give namespace/name")
        }
    }

    private func managedCronJobs() async throws -> [PolicyCronJob] {
        let list: JSONValue
        do {
            list = try await api.list(CronJob.resourceType, namespace: namespace, options: ListOptions(labelSelector: Self.managedBy), as: JSONValue.self)
        } catch {
            throw TriggerError.failed("cannot list the policies' CronJobs through the Kubernetes API: \(error)")
        }
        return PolicyCronJob.all(inList: list)
    }

    /// Creates the Job unless the policy has one running; one trigger per policy at a time in this process.
    private func start(_ policy: PolicyCronJob, request: ManualJobBuilder.Request) async throws -> TriggeredRun {
        guard await locks.lock(policy.key) else { throw TriggerError.alreadyRunning(policy: policy.key, runId: nil) }
        do {
            let run = try await startLocked(policy, request: request)
            await locks.unlock(policy.key)
            return run
        } catch {
            await locks.unlock(policy.key)
            throw error
        }
    }

    private func startLocked(_ policy: PolicyCronJob, request: ManualJobBuilder.Request) async throws -> TriggeredRun {
        var generator = SystemRandomNumberGenerator()
        let id = ManualJobBuilder.shortId(requestedBy: request.requestedBy, idempotencyKey: request.idempotencyKey, random: &generator)
        let name = ManualJobBuilder.jobName(cronJob: policy.cronJobName, id: id)
        // A retry of a request that reached another replica: its Job exists under the same name.
        if request.idempotencyKey != nil, let existing = try await existingJob(name, policy: policy), Self.isSame(existing, request) {
            logger.notice("manual Job already created for this Idempotency-Key", metadata: ["job.name": "\(name)", "policy.name": "\(policy.key)"])
            return TriggeredRun(policy: policy.key, runId: nil, job: name)
        }
        let jobs: ResourceList<Job>
        do {
            jobs = try await api.listAll(Job.self, namespace: policy.namespace, options: ListOptions(
                labelSelector: "\(CronJobBuilder.policyLabel)=\(policy.policy),\(Self.managedBy)"))
        } catch {
            throw TriggerError.failed("cannot list the Jobs of policy \(policy.key) through the Kubernetes API: \(error)")
        }
        if let active = jobs.items.first(where: ManualJobBuilder.isActive) {
            logger.notice("trigger refused: a Job of the policy is running", metadata: ["job.name": "\(active.metadata.name ?? "?")", "policy.name": "\(policy.key)"])
            throw TriggerError.alreadyRunning(policy: policy.key, runId: nil)
        }
        let body: JSONValue
        do {
            body = try ManualJobBuilder.job(from: policy.cronJob, name: name, request: request)
        } catch {
            throw TriggerError.failed("\(error)")
        }
        do {
            _ = try await api.create(Job.resourceType, namespace: policy.namespace, body: body, as: JSONValue.self)
        } catch let error as KubeError where error.code == .alreadyExists {
            throw TriggerError.alreadyRunning(policy: policy.key, runId: nil)
        } catch {
            throw TriggerError.failed("cannot create the Job \(policy.namespace)/\(name) through the Kubernetes API: \(error)")
        }
        logger.notice("manual Job created", metadata: [
            "job.name": "\(name)", "job.namespace": "\(policy.namespace)", "policy.name": "\(policy.key)", "requested.by": "\(request.requestedBy)",
        ])
        return TriggeredRun(policy: policy.key, runId: nil, job: name)
    }

    private func existingJob(_ name: String, policy: PolicyCronJob) async throws -> Job? {
        do {
            return try await api.get(Job.self, name: name, namespace: policy.namespace)
        } catch let error as KubeError where error.code == .notFound {
            return nil
        } catch {
            throw TriggerError.failed("cannot read the Job \(policy.namespace)/\(name) through the Kubernetes API: \(error)")
        }
    }

    private static func isSame(_ job: Job, _ request: ManualJobBuilder.Request) -> Bool {
        let annotations = job.metadata.annotations ?? [:]
        return annotations[ManualJobBuilder.requestedByAnnotation] == request.requestedBy
            && annotations[ManualJobBuilder.idempotencyKeyAnnotation] == request.idempotencyKey
    }
}

/// The policies this process is triggering right now (two requests for one policy must not both pass the "is it running?" check).
actor PolicyLocks {
    private var held: Set<String> = []

    func lock(_ key: String) -> Bool { held.insert(key).inserted }
    func unlock(_ key: String) { held.remove(key) }
}
