/// `namespace/name` of a BackupPolicy: the work queue's key.
public struct PolicyKey: Hashable, Sendable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    /// Creates a key.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { "\(namespace)/\(name)" }
}
