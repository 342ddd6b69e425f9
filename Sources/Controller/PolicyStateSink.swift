import KubeModels

/// Where the controller writes each policy's observed state (spec, schedule, conditions, active Jobs, last
/// and next run): the catalog's `policies` table, so the REST sidecar serves `/status` from PostgreSQL alone.
public protocol PolicyStateSink: Sendable {
    /// Records what the reconciler observed; implementations skip a state equal to the one last written.
    func record(_ policy: BackupPolicy, status: BackupPolicyStatus) async throws
    /// The policy no longer exists.
    func forget(_ key: PolicyKey) async throws
    /// Removes the states of policies not in `keys` (deleted while no controller was running).
    /// - Parameter namespace: the namespace the controller watches; nil for all.
    /// - Returns: how many were removed.
    func retainOnly(_ keys: Set<PolicyKey>, namespace: String?) async throws -> Int
}
