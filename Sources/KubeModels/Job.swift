import KubeClient
import PyBakCore

/// `batch/v1` `Job`: one run of a BackupPolicy.
public struct Job: KubeResource, Equatable {
    public static let group = "batch"
    public static let version = "v1"
    public static let kind = "Job"
    public static let plural = "jobs"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: JobSpec?
    public var status: JobStatus?

    /// Creates a Job.
    public init(metadata: ObjectMeta, spec: JobSpec?, status: JobStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// `batch/v1` `JobSpec`.
public struct JobSpec: Codable, Sendable, Equatable {
    public var parallelism: Int?
    public var completions: Int?
    /// `NonIndexed` or `Indexed`.
    public var completionMode: String?
    public var backoffLimit: Int?
    public var activeDeadlineSeconds: Int64?
    public var ttlSecondsAfterFinished: Int?
    /// Passed through as written.
    public var podFailurePolicy: JSONValue?
    public var template: PodTemplateSpec

    /// Creates a spec.
    public init(template: PodTemplateSpec) {
        self.template = template
    }
}

/// `batch/v1` `JobStatus`.
public struct JobStatus: Codable, Sendable, Equatable {
    public var active: Int?
    public var succeeded: Int?
    public var failed: Int?
    public var startTime: String?
    public var completionTime: String?
    public var conditions: [JobCondition]?

    /// An empty status.
    public init() {}
}

/// `batch/v1` `JobCondition` (`Complete`, `Failed`, `Suspended`, ...).
public struct JobCondition: Codable, Sendable, Equatable {
    public var type: String
    public var status: String
    public var reason: String?
    public var message: String?
    public var lastTransitionTime: String?

    /// Creates a condition.
    public init(type: String, status: String, reason: String? = nil, message: String? = nil, lastTransitionTime: String? = nil) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}
