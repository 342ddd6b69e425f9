import PyBakCore

/// A policy's CronJob as the API server returned it (untyped, so that a Job made from it loses no field),
/// with the policy's key as the catalog names it (`namespace/name`).
public struct PolicyCronJob: Sendable, Equatable {
    /// The policy's (and the CronJob's) namespace.
    public var namespace: String
    /// The policy's name (the CronJob's `pybak.io/policy` label).
    public var policy: String
    /// The CronJob object.
    public var cronJob: JSONValue

    /// `namespace/name`.
    public var key: String { "\(namespace)/\(policy)" }
    /// The CronJob's name.
    public var cronJobName: String { cronJob.at("metadata", "name")?.text ?? "" }
    /// True when the CronJob is suspended (the policy's `spec.suspend`).
    public var isSuspended: Bool { cronJob.at("spec", "suspend") == .bool(true) }

    /// The policies' CronJobs in a CronJob list (`items` with the `pybak.io/policy` label).
    public static func all(inList list: JSONValue) -> [PolicyCronJob] {
        guard case .array(let items)? = list.member("items") else { return [] }
        return items.compactMap { item in
            guard let namespace = item.at("metadata", "namespace")?.text, let policy = item.at("metadata", "labels", CronJobBuilder.policyLabel)?.text
            else { return nil }
            return PolicyCronJob(namespace: namespace, policy: policy, cronJob: item)
        }
    }
}
