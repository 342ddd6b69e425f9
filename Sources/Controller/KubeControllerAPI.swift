import KubeClient
import KubeModels

/// `ControllerAPI` over the Kubernetes client: reads from informer caches, writes to the API server.
public struct KubeControllerAPI: ControllerAPI {
    let api: KubeAPI
    let policies: InformerCache<BackupPolicy>
    let cronJobs: InformerCache<CronJob>
    let jobCache: InformerCache<Job>

    /// Creates the adapter.
    public init(api: KubeAPI, policies: InformerCache<BackupPolicy>, cronJobs: InformerCache<CronJob>, jobs: InformerCache<Job>) {
        self.api = api
        self.policies = policies
        self.cronJobs = cronJobs
        self.jobCache = jobs
    }

    public func policy(namespace: String, name: String) async throws -> BackupPolicy? {
        await policies.get(namespace: namespace, name: name)
    }

    public func cronJob(namespace: String, name: String) async throws -> CronJob? {
        await cronJobs.get(namespace: namespace, name: name)
    }

    public func create(_ cronJob: CronJob) async throws -> CronJob {
        try await Self.mapped { try await api.create(cronJob, namespace: cronJob.metadata.namespace) }
    }

    public func update(_ cronJob: CronJob) async throws -> CronJob {
        try await Self.mapped { try await api.update(cronJob) }
    }

    public func jobs(namespace: String, policy: String) async throws -> [Job] {
        await jobCache.list().filter { $0.metadata.namespace == namespace && $0.metadata.labels?[CronJobBuilder.policyLabel] == policy }
    }

    public func updateStatus(_ policy: BackupPolicy) async throws -> BackupPolicy {
        try await Self.mapped { try await api.updateStatus(policy) }
    }

    public func record(_ event: Event) async throws {
        _ = try await Self.mapped { try await api.create(event, namespace: event.metadata.namespace) }
    }

    /// Runs a call and classifies its `KubeError`. A create that finds the name taken is a conflict: the
    /// cache has not seen the object yet, and the next look will.
    static func mapped<T>(_ call: () async throws -> T) async throws -> T {
        do {
            return try await call()
        } catch let error as KubeError {
            let kind: ControllerAPIError.Kind
            switch error.code {
            case .notFound: kind = .notFound
            case .alreadyExists, .conflict: kind = .conflict
            case .invalid, .badRequest: kind = .invalid
            case .forbidden, .unauthorized: kind = .forbidden
            case .tooManyRequests, .serverError, .transport: kind = .unavailable
            default: kind = .other
            }
            throw ControllerAPIError(kind, code: error.httpStatus, "\(error)", retryAfter: error.retryAfter)
        }
    }
}

/// `LeaseStore` over the Kubernetes client.
public struct KubeLeaseStore: LeaseStore {
    let api: KubeAPI

    /// Creates the store.
    public init(api: KubeAPI) {
        self.api = api
    }

    public func get(namespace: String, name: String) async throws -> Lease? {
        do {
            return try await api.get(Lease.self, name: name, namespace: namespace)
        } catch let error as KubeError where error.code == .notFound {
            return nil
        }
    }

    public func create(_ lease: Lease) async throws -> Lease {
        try await KubeControllerAPI.mapped { try await api.create(lease, namespace: lease.metadata.namespace) }
    }

    public func update(_ lease: Lease) async throws -> Lease {
        try await KubeControllerAPI.mapped { try await api.update(lease) }
    }
}
