import ArgumentParser
import APIServer
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

    @Option(name: .customLong("listen"), help: "Serve /healthz, /readyz and /metrics on HOST:PORT (no token; counters only). Env: PYBAK_LISTEN.")
    var listen: String?

    @OptionGroup var database: DatabaseOptions

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
            // Policies and CronJobs are read once per reconcile (CronJobs carry the worker's pod template): both kept
            // deflated, so a thousand policies cost a few MiB. Jobs are filtered on every reconcile: kept as values.
            let policies = Informer<BackupPolicy>(
                api: api, namespace: watched, logger: logger, transform: .strippingManagedFields, storage: .deflatedJSON
            ) { event in
                let meta = event.object.metadata
                await queue.add(PolicyKey(namespace: meta.namespace ?? "", name: meta.name ?? ""))
            }
            let cronJobs = Informer<CronJob>(
                api: api, namespace: watched, labelSelector: owned, logger: logger, transform: .strippingManagedFields, storage: .deflatedJSON
            ) { event in
                await Self.enqueueOwner(event.object.metadata, queue: queue)
            }
            let jobs = Informer<Job>(api: api, namespace: watched, labelSelector: owned, logger: logger, transform: .strippingManagedFields) { event in
                await Self.enqueueOwner(event.object.metadata, queue: queue)
            }
            let controllerAPI = KubeControllerAPI(api: api, policies: policies.cache, cronJobs: cronJobs.cache, jobs: jobs.cache)
            // The PostgreSQL catalog (--database / PYBAK_DATABASE_URL, as the worker and sidecar): run counts for the
            // status, and each policy's observed state for the sidecar's /status. Without one, both stay empty.
            let catalog = try self.database.target(environment: environment).map { ControllerCatalog(target: $0, identity: me) }
            let reconcileMetrics = ReconcileMetrics()
            let reconciler = Reconciler(api: controllerAPI, worker: worker, history: catalog, states: catalog, metrics: reconcileMetrics, identity: me, logger: logger)
            var elector: LeaderElector?
            if leaderElect {
                let leaseNS = leaseNamespace ?? environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? config.namespace
                let name = leaseName ?? environment["PYBAK_LEASE_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "pybak-controller"
                elector = LeaderElector(store: KubeLeaseStore(api: api), namespace: leaseNS, name: name, identity: me, logger: logger)
            }
            let policyCache = policies.cache
            let caches = (policies.cache, cronJobs.cache, jobs.cache)
            /// Whether every informer has loaded its first list (readiness, and the wait before reconciling).
            let synced: @Sendable () async -> Bool = {
                let (first, second, third) = (await caches.0.hasSynced, await caches.1.hasSynced, await caches.2.hasSynced)
                return first && second && third
            }
            let service = ControllerService(queue: queue, reconciler: reconciler, elector: elector, workers: workers, logger: logger) {
                // As client-go's WaitForCacheSync: reconciling before the CronJob cache holds what exists would try to
                // create CronJobs that are there (a restarted controller sent hundreds of such POSTs, each a 409).
                while !(await synced()) {
                    guard (try? await Task.sleep(for: .milliseconds(50))) != nil else { return }
                }
                for (namespace, name) in await policyCache.names() {
                    await queue.add(PolicyKey(namespace: namespace, name: name))
                }
                if let catalog { Task { await Self.pruneStates(catalog, cache: policyCache, namespace: namespace, logger: logger) } }
            }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: policies), .init(service: cronJobs), .init(service: jobs),
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
            ]
            if let listenText = listen ?? environment["PYBAK_LISTEN"].flatMap({ $0.isEmpty ? nil : $0 }) {
                let address: ListenAddress
                do { address = try ListenAddress(parsing: listenText) } catch { throw PyBakError(.usage, "\(error)") }
                let leaderElector = elector
                let probes = ProbeServer(
                    address: address,
                    readiness: {
                        let ready = await synced()
                        return (ready, ready ? nil : "the informers have not loaded their first lists yet")
                    },
                    metrics: {
                        let leading = await leaderElector?.isLeader ?? true
                        return ControllerMetricsText.render(
                            leader: leading, queueDepth: await queue.depth, policies: await caches.0.list(), reconciles: reconcileMetrics.snapshot)
                    },
                    logger: logger)
                services.append(.init(service: probes.application(), failureTerminationBehavior: .gracefullyShutdownGroup))
            }
            logger.notice("controller starting", metadata: [
                "kube.server": "\(config.server)", "kube.namespace": "\(namespace ?? "all")", "lease.identity": "\(me)", "leaderElect": "\(leaderElect)",
            ])
            let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        } catch let error as PyBakError {
            CommandErrors.report(error)
            throw ExitCode(error.exitCode)
        }
    }

    /// Removes the catalog states of policies deleted while no controller ran (the reconciler removes those deleted
    /// while it runs); called once the policy informer has its first list.
    private static func pruneStates(_ catalog: ControllerCatalog, cache: InformerCache<BackupPolicy>, namespace: String?, logger: Logger) async {
        let keys = Set(await cache.names().map { PolicyKey(namespace: $0.namespace, name: $0.name) })
        do {
            let removed = try await catalog.retainOnly(keys, namespace: namespace)
            if removed > 0 { logger.info("removed the catalog states of deleted policies", metadata: ["policies.removed": "\(removed)"]) }
        } catch {
            logger.warning("cannot prune the catalog states of deleted policies", metadata: ["reason": "\(error)"])
        }
    }

    private static func enqueueOwner(_ meta: ObjectMeta, queue: WorkQueue) async {
        guard let policy = meta.labels?[CronJobBuilder.policyLabel], let namespace = meta.namespace else { return }
        await queue.add(PolicyKey(namespace: namespace, name: policy))
    }
}
