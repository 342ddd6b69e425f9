import KubeClient
import PyBakCore

/// `pybak.io/v1alpha1` `BackupPolicy`: the custom resource the controller reconciles.
/// Its spec is the same `BackupPolicySpec` that `pybak run -f` reads.
public struct BackupPolicy: KubeResource, Equatable {
    public static let group = "pybak.io"
    public static let version = "v1alpha1"
    public static let kind = "BackupPolicy"
    public static let plural = "backuppolicies"
    public static let isNamespaced = true

    /// `pybak.io/v1alpha1`.
    public var apiVersion: String?
    /// `BackupPolicy`.
    public var kind: String?
    /// Name, namespace, uid, generation.
    public var metadata: ObjectMeta
    /// What to back up, where to, how and when.
    public var spec: BackupPolicySpec
    /// Written by the controller from what it observes.
    public var status: BackupPolicyStatus?

    /// Creates a policy.
    public init(metadata: ObjectMeta, spec: BackupPolicySpec, status: BackupPolicyStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
