import KubeModels

/// The Lease calls leader election makes.
public protocol LeaseStore: Sendable {
    /// The Lease, or nil when it does not exist.
    func get(namespace: String, name: String) async throws -> Lease?
    /// Creates the Lease; throws `ControllerAPIError` `.alreadyExists` when another replica was first.
    func create(_ lease: Lease) async throws -> Lease
    /// Replaces the Lease; throws `.conflict` when its resourceVersion is stale (another replica wrote it).
    func update(_ lease: Lease) async throws -> Lease
}
