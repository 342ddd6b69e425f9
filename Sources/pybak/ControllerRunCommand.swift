import ArgumentParser
import Controller
import Foundation
import KubeClient
import KubeModels
import Logging
import PyBakCore
import ServiceLifecycle

/// `pybak controller` (default subcommand `run`): the operator itself.
struct ControllerRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Watch BackupPolicies and keep one CronJob per policy, with status, until SIGTERM.",
        discussion: """
            Informers follow BackupPolicies and the CronJobs and Jobs the controller made (label \
            app.kubernetes.io/managed-by=pybak-controller); a work queue feeds the reconciler. With \
            --leader-elect only the replica holding the Lease acts; SIGTERM releases it.
            """
    )

    @Option(name: .customLong("kubeconfig"), help: "kubeconfig file (default: in-cluster, else $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .customLong("namespace"), help: "Only policies in this namespace (default: all namespaces).")
    var namespace: String?

    @Flag(name: .customLong("leader-elect"), help: "Act only while holding the Lease (several replicas).")
    var leaderElect = false

    @Option(name: .customLong("lease-name"), help: "The Lease's name (default pybak-controller). Env: PYBAK_LEASE_NAME.")
    var leaseName: String?

    @Option(name: .customLong("lease-namespace"), help: "The Lease's namespace (default: POD_NAMESPACE, else the configuration's).")
    var leaseNamespace: String?

    @Option(name: .customLong("identity"), help: "This replica's name in the Lease and Events (default: POD_NAME, else the host name).")
    var identity: String?

    @Option(name: .customLong("image"), help: "Worker image (default \(WorkerTemplate.defaultImage)). Env: PYBAK_WORKER_IMAGE.")
    var image: String?

    @Option(name: .customLong("database-secret"), help: "NAME[:KEY] of the Secret with the PostgreSQL URL in each policy's namespace. Env: PYBAK_WORKER_DATABASE_SECRET.")
    var databaseSecret: String?

    @Option(name: .customLong("workers"), help: "Policies reconciled at once (default 2).")
    var workers: Int = 2

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (default info). Env: PYBAK_LOG_LEVEL.")
    var logLevel: String?

    func run() async throws {
        do {
            var environment = ProcessInfo.processInfo.environment
            if let kubeconfig { environment["KUBECONFIG"] = kubeconfig }
            let config: KubeClientConfig
            do {
                config = try KubeClientConfig.load(environment: environment)
            } catch {
                throw PyBakError(.config, "\(error)")
            }
            let levelText = logLevel ?? environment["PYBAK_LOG_LEVEL"] ?? "info"
            guard let level = LogLevels.parse(levelText) else {
                throw PyBakError(.usage, "--log-level '\(levelText)' is not a level; use trace, debug, info, notice, warning or error")
            }
            let logger = LogSetup.logger(stderrLevel: level, logFile: nil, catalogBuffer: nil, progress: nil)
            let api = KubeAPI(config: config, logger: logger)
            let worker = try WorkerOptions.template(image: image, databaseSecret: databaseSecret, environment: environment)
            let me = identity ?? environment["POD_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName

            let queue = WorkQueue()
            let watched = namespace ?? KubeAPI.allNamespaces
            let owned = "app.kubernetes.io/managed-by=pybak-controller"
            let policies = Informer<BackupPolicy>(api: api, namespace: watched, logger: logger) { event in
                let meta = event.object.metadata
                await queue.add(PolicyKey(namespace: meta.namespace ?? "", name: meta.name ?? ""))
            }
            let cronJobs = Informer<CronJob>(api: api, namespace: watched, labelSelector: owned, logger: logger) { event in
                await Self.enqueueOwner(event.object.metadata, queue: queue)
            }
            let jobs = Informer<Job>(api: api, namespace: watched, labelSelector: owned, logger: logger) { event in
                await Self.enqueueOwner(event.object.metadata, queue: queue)
            }
            let controllerAPI = KubeControllerAPI(api: api, policies: policies.cache, cronJobs: cronJobs.cache, jobs: jobs.cache)
            let reconciler = Reconciler(api: controllerAPI, worker: worker, identity: me, logger: logger)
            var elector: LeaderElector?
            if leaderElect {
                let leaseNS = leaseNamespace ?? environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? config.namespace
                let name = leaseName ?? environment["PYBAK_LEASE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "pybak-controller"
                elector = LeaderElector(store: KubeLeaseStore(api: api), namespace: leaseNS, name: name, identity: me, logger: logger)
            }
            let policyCache = policies.cache
            let service = ControllerService(queue: queue, reconciler: reconciler, elector: elector, workers: workers, logger: logger) {
                for policy in await policyCache.list() {
                    await queue.add(PolicyKey(namespace: policy.metadata.namespace ?? "", name: policy.metadata.name ?? ""))
                }
            }
            logger.notice("controller starting", metadata: [
                "kube.server": "\(config.server)", "kube.namespace": "\(namespace ?? "all")", "lease.identity": "\(me)", "leaderElect": "\(leaderElect)",
            ])
            let group = ServiceGroup(
                configuration: .init(services: [
                    .init(service: policies), .init(service: cronJobs), .init(service: jobs),
                    .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }

    private static func enqueueOwner(_ meta: ObjectMeta, queue: WorkQueue) async {
        guard let policy = meta.labels?[CronJobBuilder.policyLabel], let namespace = meta.namespace else { return }
        await queue.add(PolicyKey(namespace: namespace, name: policy))
    }
}
