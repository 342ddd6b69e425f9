/// The `spec` of a `BackupPolicy` (`pybak.io/v1alpha1`): the one document that drives
/// `pybak run -f`, the worker, and the controller. Every field is optional here;
/// `PassSettings` applies defaults and flags on top.
public struct BackupPolicySpec: Codable, Sendable, Equatable {
    /// Cron schedule for the controller's CronJob and the daemon (default `*/2 * * * *`).
    public var schedule: String?
    /// Whether scheduled runs are paused.
    public var suspend: Bool?
    /// Where files arrive.
    public var source: SourceSpec?
    /// Where stored copies go.
    public var destination: DestinationSpec?
    /// How files are compressed.
    public var compression: CompressionSpec?
    /// AES-256 encryption key reference.
    public var encryption: EncryptionSpec?
    /// Off-site copies.
    public var cloud: JSONValue?
    /// Whether a stored copy stays in the destination folder when it is also uploaded.
    public var keepLocalCopy: Bool?
    /// Copy instead of move: leave each source file in place after it is stored.
    public var keepSource: Bool?
    /// The report e-mail.
    public var report: JSONValue?
    /// How long stored copies are kept (applied by `pybak prune`).
    public var retention: RetentionRules?
    /// Files processed at once in one process.
    public var parallelism: Int?
    /// Pods per run in the cluster (Indexed Job shards).
    public var workers: Int?
    /// Finished Jobs kept by the CronJob.
    public var successfulJobsHistoryLimit: Int?
    /// Failed Jobs kept by the CronJob.
    public var failedJobsHistoryLimit: Int?
    /// Pod settings for the worker (resources, nodeSelector, tolerations).
    public var podTemplate: JSONValue?

    /// An empty spec.
    public init() {}
}

/// `spec.source`.
public struct SourceSpec: Codable, Sendable, Equatable {
    /// A core/v1 volume source (cluster only).
    public var volume: JSONValue?
    /// A sub-path in the volume, or a local folder for `pybak run`.
    public var path: String?
    /// Patterns a file must match (default: all).
    public var include: [String]?
    /// Patterns that leave a file out.
    public var exclude: [String]?
    /// Settle window: files modified more recently wait for the next pass.
    public var minAge: String?

    /// An empty source.
    public init() {}
}

/// `spec.destination`.
public struct DestinationSpec: Codable, Sendable, Equatable {
    /// A core/v1 volume source (cluster only).
    public var volume: JSONValue?
    /// A sub-path in the volume, or a local folder for `pybak run`.
    public var path: String?

    /// An empty destination.
    public init() {}
}

/// `spec.compression`.
public struct CompressionSpec: Codable, Sendable, Equatable {
    /// `gzip` (a `.gz` per file, the default), `zip` or `tar.gz` (one archive per pass).
    public var format: String?
    /// zlib level 1 (fastest) to 9 (smallest); default 6.
    public var level: Int?

    /// An empty compression block.
    public init() {}
}

/// `spec.encryption`.
public struct EncryptionSpec: Codable, Sendable, Equatable {
    /// The Secret holding the key (cluster): `{name, key}`; the worker receives it as `PYBAK_ENCRYPTION_KEY`.
    public var keySecretRef: JSONValue?
    /// A local file with the key (base64 of 32 bytes, or 32 raw bytes), for `pybak run -f`.
    public var keyFile: String?
    /// A local file with a passphrase, stretched with scrypt.
    public var passphraseFile: String?

    /// An empty encryption block.
    public init() {}
}

/// A whole `BackupPolicy` object as `kubectl apply` and `pybak run -f` read it.
public struct BackupPolicyDocument: Codable, Sendable, Equatable {
    /// `pybak.io/v1alpha1`.
    public var apiVersion: String?
    /// `BackupPolicy`.
    public var kind: String?
    /// Name and namespace.
    public var metadata: PolicyMetadata?
    /// The policy itself.
    public var spec: BackupPolicySpec
    /// Written by the controller; ignored by `pybak run`.
    public var status: JSONValue?

    /// The API group and version PyBak serves.
    public static let apiVersion = "pybak.io/v1alpha1"
    /// The kind name.
    public static let kind = "BackupPolicy"
}

/// The parts of `metadata` PyBak reads.
public struct PolicyMetadata: Codable, Sendable, Equatable {
    /// The policy's name.
    public var name: String?
    /// The policy's namespace.
    public var namespace: String?
    /// Labels, passed through.
    public var labels: [String: String]?
    /// Annotations, passed through.
    public var annotations: [String: String]?
}
