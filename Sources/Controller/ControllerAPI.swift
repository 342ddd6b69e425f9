import KubeModels

/// The Kubernetes calls the reconciler makes. Reads come from informer caches, writes go to the API
/// server; unit tests use an in-memory double.
public protocol ControllerAPI: Sendable {
    /// The policy, or nil when it does not exist.
    func policy(namespace: String, name: String) async throws -> BackupPolicy?
    /// The CronJob of that name, or nil.
    func cronJob(namespace: String, name: String) async throws -> CronJob?
    /// Creates a CronJob; throws `ControllerAPIError` `.alreadyExists` when the name is taken.
    func create(_ cronJob: CronJob) async throws -> CronJob
    /// Replaces a CronJob; throws `.conflict` when its resourceVersion is stale.
    func update(_ cronJob: CronJob) async throws -> CronJob
    /// The Jobs labelled `pybak.io/policy=<policy>` in the namespace.
    func jobs(namespace: String, policy: String) async throws -> [Job]
    /// Writes the policy's status subresource; throws `.conflict` when stale.
    func updateStatus(_ policy: BackupPolicy) async throws -> BackupPolicy
    /// Records an Event (best effort).
    func record(_ event: Event) async throws
}

/// A failed Kubernetes call, classified for the reconciler.
public struct ControllerAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Equatable {
        case notFound, alreadyExists, conflict, invalid, forbidden, unavailable, other
    }

    public var kind: Kind
    /// The HTTP status, when there was one.
    public var code: Int?
    /// The server's message.
    public var message: String
    /// Seconds the server asked to wait before trying again (`Retry-After` on 429/503).
    public var retryAfter: Double?

    /// Creates an error.
    public init(_ kind: Kind, code: Int? = nil, _ message: String, retryAfter: Double? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(message)\(code.map { " (HTTP \($0))" } ?? "")" }
}
