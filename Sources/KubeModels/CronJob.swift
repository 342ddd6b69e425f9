import KubeClient

/// `batch/v1` `CronJob`: what the controller makes of each BackupPolicy.
public struct CronJob: KubeResource, Equatable {
    public static let group = "batch"
    public static let version = "v1"
    public static let kind = "CronJob"
    public static let plural = "cronjobs"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: CronJobSpec
    public var status: CronJobStatus?

    /// Creates a CronJob.
    public init(metadata: ObjectMeta, spec: CronJobSpec) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

/// `batch/v1` `CronJobSpec`.
public struct CronJobSpec: Codable, Sendable, Equatable {
    public var schedule: String
    public var timeZone: String?
    public var suspend: Bool?
    /// `Allow`, `Forbid` or `Replace`.
    public var concurrencyPolicy: String?
    public var startingDeadlineSeconds: Int64?
    public var successfulJobsHistoryLimit: Int?
    public var failedJobsHistoryLimit: Int?
    public var jobTemplate: JobTemplateSpec

    /// Creates a spec.
    public init(schedule: String, jobTemplate: JobTemplateSpec) {
        self.schedule = schedule
        self.jobTemplate = jobTemplate
    }
}

/// `batch/v1` `JobTemplateSpec`.
public struct JobTemplateSpec: Codable, Sendable, Equatable {
    public var metadata: ObjectMeta?
    public var spec: JobSpec

    /// Creates a template.
    public init(metadata: ObjectMeta? = nil, spec: JobSpec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `batch/v1` `CronJobStatus`.
public struct CronJobStatus: Codable, Sendable, Equatable {
    public var active: [ObjectReference]?
    public var lastScheduleTime: String?
    public var lastSuccessfulTime: String?

    /// Creates a status.
    public init(active: [ObjectReference]? = nil, lastScheduleTime: String? = nil, lastSuccessfulTime: String? = nil) {
        self.active = active
        self.lastScheduleTime = lastScheduleTime
        self.lastSuccessfulTime = lastSuccessfulTime
    }
}

/// `core/v1` `ObjectReference` (the parts PyBak reads).
public struct ObjectReference: Codable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String?
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?

    /// Creates a reference.
    public init(apiVersion: String? = nil, kind: String? = nil, name: String? = nil, namespace: String? = nil, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}
